"""MFA helpers: devices, code verification, QR codes and the step-up check.

Later features ask for a fresh code before a sensitive action (approving a change)::

    from apps.accounts import mfa

    if not mfa.step_up(request, form.cleaned_data["code"]):
        form.add_error("code", _("This code is not valid or was already used."))

``step_up`` verifies a TOTP code that was never accepted before and records the time in
the session; ``has_recent_step_up`` then answers "was a code typed in the last
MFA_STEP_UP_WINDOW seconds?" for actions that may reuse a recent step-up.
"""

from __future__ import annotations

import base64
import time
from binascii import unhexlify

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import BackupCodeDevice, normalize_backup_code

SESSION_STEP_UP_AT = "opsportal_step_up_at"
TOTP_DIGITS = 6


def has_confirmed_device(user) -> bool:
    """True if the person finished enrolling a TOTP authenticator."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def confirmed_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def backup_device(user) -> BackupCodeDevice | None:
    return BackupCodeDevice.objects.filter(user=user).first()


def remaining_backup_codes(user) -> int:
    device = backup_device(user)
    return device.remaining() if device is not None else 0


# --- presenting a TOTP secret ---------------------------------------------------------


def base32_secret(device: TOTPDevice) -> str:
    """The device's secret as authenticator apps expect it for manual entry."""
    return base64.b32encode(unhexlify(device.key)).decode().rstrip("=")


def qr_code_data_uri(text: str) -> str:
    """An SVG QR code of ``text`` as a ``data:`` URI (the CSP allows data: images)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2, box_size=10)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# --- verification ---------------------------------------------------------------------


def looks_like_totp(code: str) -> bool:
    code = (code or "").strip().replace(" ", "")
    return len(code) == TOTP_DIGITS and code.isdigit()


def verify_totp(user, code: str, *, device: TOTPDevice | None = None) -> TOTPDevice | None:
    """Verify a TOTP code against the person's confirmed device (or the given one).

    A code is accepted once: django-otp remembers the last accepted time step, so the
    same code (or an older one) is refused afterwards.
    """
    if not looks_like_totp(code):
        return None
    code = code.strip().replace(" ", "")
    with transaction.atomic():
        queryset = TOTPDevice.objects.select_for_update().filter(user=user)
        queryset = (
            queryset.filter(pk=device.pk) if device is not None else queryset.filter(confirmed=True)
        )
        for candidate in queryset:
            if candidate.verify_token(code):
                return candidate
    return None


def verify_backup_code(user, code: str) -> BackupCodeDevice | None:
    """Use one backup code; returns the device if the code was valid and unused."""
    if not normalize_backup_code(code or ""):
        return None
    with transaction.atomic():
        device = (
            BackupCodeDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        )
        if device is not None and device.verify_token(code):
            return device
    return None


def verify_login_code(user, code: str):
    """Second factor at login: a TOTP code or a backup code. Returns the device or None."""
    if looks_like_totp(code):
        return verify_totp(user, code)
    return verify_backup_code(user, code)


# --- step-up --------------------------------------------------------------------------

FRESH = "fresh"
USED = "used"
THROTTLED = "throttled"
INVALID = "invalid"


def _matching_step(user, code: str) -> str | None:
    """Which kind of time step ``code`` matches on the person's authenticator, if any.

    ``USED``: a step within the device's tolerance that is not after the last accepted
    one; ``FRESH``: a later one (refused only because the device is throttled); None: no
    step. Nothing is written: the code has been refused already.
    """
    value = int(code.strip().replace(" ", ""))
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        generator.time = time.time()
        if generator.verify(value, device.tolerance):
            return USED if generator.t() <= device.last_t else FRESH
    return None


def check_fresh_code(user, code: str) -> str:
    """Verify a step-up code and say why it failed, so people get a message that helps.

    ``FRESH``: a valid TOTP code never accepted before (now spent). ``USED``: a code of
    the person's authenticator that was already accepted (at login or an earlier
    step-up): wait for the next one. ``THROTTLED``: a valid code refused because a wrong
    one was typed moments ago (django-otp refuses the device for a few seconds).
    ``INVALID``: anything else.
    """
    if verify_totp(user, code) is not None:
        return FRESH
    if not looks_like_totp(code):
        return INVALID
    matched = _matching_step(user, code)
    if matched == USED:
        return USED
    if matched == FRESH:
        return THROTTLED
    return INVALID


def verify_fresh_code(user, code: str) -> bool:
    """True if ``code`` is a valid TOTP code of ``user`` that was never accepted before.

    Backup codes do not count: a step-up proves the person holds the authenticator now.
    A code already used (at login or for an earlier step-up) is refused, so a code seen
    over someone's shoulder cannot be replayed.
    """
    return verify_totp(user, code) is not None


def record_step_up(request) -> None:
    """Remember in the session that the person just proved their authenticator."""
    request.session[SESSION_STEP_UP_AT] = time.time()


def has_recent_step_up(request, within: int | None = None) -> bool:
    """Was a fresh code typed in this session within ``within`` seconds?

    ``within`` defaults to settings.MFA_STEP_UP_WINDOW (read at call time).
    """
    window = settings.MFA_STEP_UP_WINDOW if within is None else within
    at = request.session.get(SESSION_STEP_UP_AT)
    if at is None:
        return False
    return 0 <= time.time() - float(at) <= window


def step_up(request, code: str) -> bool:
    """Verify a fresh TOTP code for ``request.user`` and record the step-up.

    A wrong code counts as a failed second factor: it is audited and counts toward the
    account lockout like a wrong password (when the limit is reached the session is
    logged out and the response becomes the lockout page).
    """
    user = request.user
    if verify_fresh_code(user, code):
        record_step_up(request)
        return True
    from apps.accounts.lockout import second_factor_failed

    second_factor_failed(request, user, stage="step_up")
    return False
