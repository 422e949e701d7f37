"""MFA helpers (devices, verification, step-up). Filled in by the MFA work."""

from __future__ import annotations

from django_otp import devices_for_user


def has_confirmed_device(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))
