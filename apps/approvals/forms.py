"""Forms of the approvals pages (they only collect input; services decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.approvals.handlers.roles import ACTIONS, PROTECTED_ROLES
from apps.approvals.models import FreezeWindow


class ApproveForm(forms.Form):
    # The payload SHA-256 of the request as the page showed it: approving applies that
    # payload or nothing.
    payload_sha256 = forms.RegexField(
        regex=r"^[0-9a-fA-F]{64}$",
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Reload the request: the form lacks the payload it shows."),
            "invalid": _("Reload the request: the form lacks the payload it shows."),
        },
    )
    otp_code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
        help_text=_("A fresh code is needed for every approval."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    comment = forms.CharField(
        label=_("Why is it rejected?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FreezeWindowForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=FreezeWindow.Kind.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("In your time zone."),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    frozen_kinds = forms.MultipleChoiceField(
        label=_("Frozen change kinds"),
        required=False,
        help_text=_("None selected: every kind is frozen."),
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["frozen_kinds"].choices = [(kind, kind) for kind in kinds]


class RoleChangeForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Person"),
        queryset=User.objects.filter(is_active=True, is_service_account=False),
        to_field_name="username",
    )
    role = forms.ChoiceField(label=_("Role"), choices=[(r, r) for r in PROTECTED_ROLES])
    action = forms.ChoiceField(
        label=_("Change"),
        choices=[(a, label) for a, label in zip(ACTIONS, (_("Grant"), _("Remove")), strict=True)],
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    ticket = forms.CharField(label=_("Ticket"), required=False, max_length=200)
