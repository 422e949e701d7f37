"""MFA writes: enrolment, backup codes, reset, and the audit of failed codes."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts import mfa
from apps.accounts.models import (
    BACKUP_CODE_ALPHABET,
    BACKUP_CODE_LENGTH,
    BackupCode,
    BackupCodeDevice,
    format_backup_code,
    hash_backup_code,
)
from apps.accounts.policy import can
from apps.core.events import record_event
from apps.core.logging import get_logger

log = get_logger(__name__)

TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup codes"


def _new_backup_code() -> str:
    return "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))


def _person_only(user) -> None:
    if getattr(user, "is_service_account", False):
        raise ValidationError(_("Service accounts do not use MFA; they use API tokens."))


@transaction.atomic
def totp_enrolment_start(*, actor) -> TOTPDevice:
    """Return the person's pending (unconfirmed) authenticator, creating it if needed.

    Reloading the enrolment page keeps the same secret. Nothing is audited yet: the
    device does nothing until it is confirmed by ``totp_enrolment_confirm``.
    """
    _person_only(actor)
    if mfa.has_confirmed_device(actor):
        raise ValidationError(_("An authenticator is already enrolled."))
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice(user=actor, name=TOTP_DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


def _replace_backup_codes(user) -> list[str]:
    device, _created = BackupCodeDevice.objects.get_or_create(
        user=user, defaults={"name": BACKUP_DEVICE_NAME, "confirmed": True}
    )
    device.codes.all().delete()
    codes = [_new_backup_code() for _ in range(settings.MFA_BACKUP_CODE_COUNT)]
    rows = [BackupCode(device=device, code_hash=hash_backup_code(code)) for code in codes]
    for row in rows:
        row.full_clean(exclude=["device"])
    BackupCode.objects.bulk_create(rows)
    return [format_backup_code(code) for code in codes]


@transaction.atomic
def totp_enrolment_confirm(*, actor, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the pending authenticator with a code from it; make the backup codes.

    Returns the new backup codes in plaintext: the caller shows them once, they are
    stored only as hashes. A wrong code raises ValidationError and changes nothing.
    """
    _person_only(actor)
    if device.user_id != actor.pk or device.confirmed:
        raise ValidationError(_("This enrolment is not pending any more; start again."))
    if mfa.verify_totp(actor, code, device=device) is None:
        raise ValidationError(
            {"code": [_("This code is not valid. Check the clock on your phone.")]}
        )
    device.refresh_from_db()
    device.confirmed = True
    device.full_clean()
    device.save(update_fields=["confirmed"])
    codes = _replace_backup_codes(actor)
    record_event(
        "account.mfa_enrolled",
        actor=actor,
        target=actor,
        data={"device": device.persistent_id, "backup_codes": len(codes)},
    )
    log.info("account.mfa_enrolled", user=actor.pk)
    return codes


@transaction.atomic
def backup_codes_regenerate(*, actor, user) -> list[str]:
    """Replace a person's backup codes with new ones; the old ones stop working.

    Only the person themself may do it, with an enrolled authenticator (the page asks
    for a fresh code first). Returns the plaintext codes, to be shown once.
    """
    _person_only(user)
    if actor.pk != user.pk:
        raise PermissionDenied(_("Only the person themself can make new backup codes."))
    if not mfa.has_confirmed_device(user):
        raise ValidationError(_("Enrol an authenticator first."))
    codes = _replace_backup_codes(user)
    record_event(
        "account.backup_codes_regenerated", actor=actor, target=user, data={"count": len(codes)}
    )
    log.info("account.backup_codes_regenerated", user=user.pk)
    return codes


def _end_sessions(user) -> int:
    """Delete the person's stored sessions (database session engine)."""
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def mfa_reset(*, actor, user, reason: str):
    """Remove all of a person's MFA devices and backup codes and end their sessions.

    Their next login asks them to enrol a new authenticator. Needs accounts.reset_mfa;
    nobody resets their own MFA (a lost authenticator means another admin must do it).
    """
    reason = (reason or "").strip()
    if not can(actor, "accounts.reset_mfa"):
        raise PermissionDenied(_("You may not reset MFA."))
    _person_only(user)
    if actor.pk == user.pk:
        raise ValidationError(_("You cannot reset your own MFA; ask another super admin."))
    if not reason:
        raise ValidationError({"reason": [_("Give a reason for the reset.")]})
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    removed = []
    for device in list(devices_for_user(user, confirmed=None)):
        removed.append(device.persistent_id)
        device.delete()
    sessions = _end_sessions(user)
    record_event(
        "account.mfa_reset",
        actor=actor,
        target=user,
        data={"reason": reason, "devices_removed": removed, "sessions_ended": sessions},
    )
    log.info("account.mfa_reset", user=user.pk, actor=actor.pk, devices=len(removed))
    return user


@transaction.atomic
def mfa_failure_record(*, actor, user, stage: str):
    """Audit a wrong second-factor code (the lockout counting is in apps.accounts.lockout)."""
    return record_event("account.mfa_failed", actor=actor, target=user, data={"stage": stage})


@transaction.atomic
def mfa_verified_record(*, actor, device) -> None:
    """Audit a completed second factor (which kind of device, never the code)."""
    data = {"device": device.persistent_id, "kind": type(device).__name__}
    if isinstance(device, BackupCodeDevice):
        data["backup_codes_left"] = device.remaining()
    record_event("account.mfa_verified", actor=actor, target=actor, data=data)
