"""Forms of the account pages: login, codes, preferences, roles, MFA reset, people
filters, lifting a lockout."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from apps.accounts import lockout, mfa
from apps.accounts.roles import ROLES


@lru_cache(maxsize=1)
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(zoneinfo.available_timezones() - {"localtime"})
    return [(name, name) for name in names]


def language_choices() -> list[tuple[str, str]]:
    """Each language by its own name (English, Bahasa Indonesia, Русский): someone who
    switched to a language they cannot read must still find their own."""
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


def role_choices() -> list[tuple[str, str]]:
    return [(name, f"{name} — {label}") for name, label in ROLES.items()]


class CodeForm(forms.Form):
    """One second-factor code: a 6-digit TOTP code or (where allowed) a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        ),
    )


class EnrolForm(CodeForm):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "numeric"}
        ),
    )


class VerifyForm(CodeForm):
    code = forms.CharField(
        label=_("Authenticator code or backup code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class FreshCodeForm(CodeForm):
    code = forms.CharField(
        label=_("Current code from your authenticator app"),
        max_length=8,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CodeFirstLoginForm(AuthenticationForm):
    """The login form for an account under a flood of failed logins: the second factor
    together with the password. A wrong password and a wrong code get the same answer
    and both count toward the lockout of the address, so the form tells a guesser
    nothing. A person who has not enrolled an authenticator yet leaves the code empty
    (their enrolment follows the password as usual).
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Enter a correct username, password and code. The fields may be case-sensitive."
        ),
    }

    code = forms.CharField(
        label=_("Authenticator code or backup code"),
        max_length=32,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
        help_text=_("Leave empty only if you have not set up an authenticator yet."),
    )

    device = None

    def clean(self):
        cleaned = super().clean()  # the password; axes counts a wrong one
        user = self.user_cache
        if user is not None and mfa.has_confirmed_device(user):
            device = mfa.verify_login_code(user, cleaned.get("code") or "")
            if device is None:
                lockout.second_factor_failed(self.request, user, stage="login")
                self.user_cache = None
                raise self.get_invalid_login_error()
            self.device = device
        return cleaned


class LockoutLiftForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150, widget=forms.HiddenInput)
    ip_address = forms.GenericIPAddressField(
        label=_("Address"), required=False, widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False, strip=True)


class PreferencesForm(forms.Form):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)
    language = forms.ChoiceField(label=_("Language"), choices=language_choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=role_choices)

    def __init__(self, *args, only: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if only is not None:
            self.fields["role"].choices = [c for c in role_choices() if c[0] in only]


class MfaResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the reset is needed (e.g. lost phone, ticket number)."),
    )


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=150)
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=lambda: [("", _("Any role"))] + [(name, name) for name in ROLES],
    )
