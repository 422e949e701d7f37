from django import forms
from django.utils.translation import gettext_lazy as _


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        help_text=_(
            "Paste an email, wallet address, transaction hash, handle, external id, or a "
            "round or customer number."
        ),
        widget=forms.TextInput(attrs={"autofocus": True, "size": 70, "autocomplete": "off"}),
    )
    ticket = forms.CharField(
        label=_("Ticket"),
        max_length=64,
        required=False,
        help_text=_("The ticket you are working on (kept in the access log)."),
    )
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)
    all = forms.BooleanField(required=False, widget=forms.HiddenInput)
