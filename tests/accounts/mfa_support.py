"""Helpers for the MFA, lockout and session tests: password logins and TOTP codes."""

from __future__ import annotations

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD


def code_for(device: TOTPDevice) -> str:
    """The 6-digit code the person's authenticator shows now (time-machine aware)."""
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def password_login(client, user, password: str = DEFAULT_PASSWORD):
    """The login page's POST (the first factor only)."""
    return client.post(reverse("accounts:login"), {"username": user.username, "password": password})


def verify(client, code: str, next_url: str | None = None):
    data = {"code": code}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("accounts:mfa_verify"), data)


def events(name: str, **filters):
    return AuditEvent.objects.filter(name=name, **filters)
