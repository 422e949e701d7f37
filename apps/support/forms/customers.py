from django import forms
from django.utils.translation import gettext_lazy as _

from apps.support.privacy import REASON_CODES


class RevealForm(forms.Form):
    reason_code = forms.ChoiceField(
        label=_("Why do you need the customer's email and name?"),
        choices=[("", "—")] + list(REASON_CODES.items()),
    )
    ticket = forms.CharField(label=_("Ticket"), max_length=64)


class ActionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    ticket = forms.CharField(label=_("Ticket"), max_length=64)
