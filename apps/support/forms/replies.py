from django import forms
from django.utils.translation import gettext_lazy as _

from apps.support.models import Language


class ReplyForm(forms.Form):
    key = forms.CharField(
        label=_("Key"),
        max_length=100,
        help_text=_("The case, or the case and an outcome: refund_failed.completed."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Placeholders in braces, e.g. {handle} or {tx_hash}."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class LeadForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
