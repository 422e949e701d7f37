"""Forms of the service-account pages. They only validate input; services write."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.scopes import scope_choices
from apps.accounts.services.tokens import DEFAULT_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME


class ServiceAccountForm(forms.Form):
    username = forms.CharField(
        label=_("Name"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only, e.g. tx-manager."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        help_text=_("What calls the API with this account."),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Where the token is used, e.g. production indexer."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Grant only what the caller needs."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "The token stops working at 00:00 on this date, in your time zone. "
            "At most one year ahead."
        ),
    )
    allowed_ips = forms.CharField(
        label=_("Allowed addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One address or CIDR network per line. Empty: any address."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["expires_on"].initial = today + DEFAULT_TOKEN_LIFETIME
        self.fields["expires_on"].widget.attrs.update(
            {
                "min": (today + dt.timedelta(days=1)).isoformat(),
                "max": (today + MAX_TOKEN_LIFETIME).isoformat(),
            }
        )

    def clean_expires_on(self) -> dt.date:
        value = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError(_("Choose a date after today."))
        if value > today + MAX_TOKEN_LIFETIME:
            raise forms.ValidationError(_("A token may be valid for at most one year."))
        return value

    def clean_allowed_ips(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["allowed_ips"].splitlines() if line.strip()
        ]

    def expires_at(self) -> dt.datetime:
        """The chosen date's midnight in the viewer's time zone, as an aware datetime."""
        midnight = dt.datetime.combine(self.cleaned_data["expires_on"], dt.time.min)
        return timezone.make_aware(midnight, timezone.get_current_timezone())


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the audit trail."),
    )


class TokenScopesForm(forms.Form):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Grant only what the caller needs. You stand behind what this token files from "
            "now on: you will not be able to approve its change requests."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the audit trail."),
    )
