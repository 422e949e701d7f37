from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ExportForm(forms.Form):
    """What an export asks before it runs: the format, and why (it is logged)."""

    export_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", "CSV"), ("json", "JSON")],
        initial="csv",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why you need this export. It is recorded in the access log."),
    )
    ticket = forms.CharField(label=_("Ticket"), max_length=100, required=False)
