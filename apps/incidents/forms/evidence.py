"""The evidence upload form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        required=False,  # the service says what is missing, with the limit in the message
        help_text=_("A log, an export, a screenshot. Kept unchanged with its SHA-256."),
        widget=forms.ClearableFileInput(attrs={"class": "evidence-file"}),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Defaults to the file name."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
