"""Login lockouts: remembering when one began, and lifting one (super admins)."""

from __future__ import annotations

import ipaddress

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import lockout
from apps.accounts.models import LoginLockout
from apps.accounts.policy import can
from apps.core.events import record_event
from apps.core.logging import get_logger

log = get_logger(__name__)

LIFT_PERMISSION = "accounts.lift_loginlockout"


def _open_record(username: str, ip_address: str | None) -> LoginLockout | None:
    return (
        LoginLockout.objects.select_for_update()
        .filter(username=username, ip_address=ip_address, lifted_at__isnull=True)
        .order_by("-locked_at", "-id")
        .first()
    )


@transaction.atomic
def lockout_started(
    *, username: str, ip_address: str | None, failures: int | None = None
) -> LoginLockout:
    """Remember that ``username`` is locked at ``ip_address`` (called when axes locks).

    Axes reports every refused attempt during a lock too; those belong to the lock that
    is already recorded. A new lock begins when the failures just reached the limit (the
    count restarts after a lock runs out or is lifted), or when none is recorded.
    """
    record = _open_record(username, ip_address)
    begins = failures is not None and failures <= lockout.failure_limit()
    if record is not None and not begins:
        return record
    record = LoginLockout(username=username[:150], ip_address=ip_address)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def lockout_lift(*, actor, username: str, ip_address: str | None, reason: str = "") -> LoginLockout:
    """End the lockout of ``username`` at ``ip_address`` now: its failures are forgotten
    and the person may try again from there. Super admins only; audited."""
    from apps.accounts.selectors import lockout_current

    if not can(actor, LIFT_PERMISSION):
        raise PermissionDenied(_("You may not lift lockouts."))
    username = (username or "").strip()
    reason = (reason or "").strip()
    errors = {}
    if not username:
        errors["username"] = _("Enter the username of the lockout.")
    if ip_address:
        try:
            ip_address = str(ipaddress.ip_address(str(ip_address).strip()))
        except ValueError:
            errors["ip_address"] = _("Enter a valid IPv4 or IPv6 address.")
    else:
        ip_address = None
    if len(reason) > 300:
        errors["reason"] = _("Keep the reason under 300 characters.")
    if errors:
        raise ValidationError(errors)
    current = lockout_current(user=actor, username=username, ip_address=ip_address)
    if current is None:
        raise ValidationError(
            {"username": _("This account is not locked at this address (any more).")}
        )
    AccessAttempt.objects.filter(username=username, ip_address=ip_address).delete()
    record = _open_record(username, ip_address)
    if record is None:
        record = LoginLockout(username=username, ip_address=ip_address, locked_at=current.since)
    record.lifted_at = timezone.now()
    record.lifted_by = actor
    record.lift_reason = reason
    record.full_clean()
    record.save()
    person = get_user_model().objects.filter(username=username).first()
    record_event(
        "account.lockout_lifted",
        actor=actor,
        target=record,
        data={
            "username": username,
            "ip_address": ip_address or "",
            "failures": current.failures,
            "locked_at": current.since.isoformat(),
            "reason": reason,
            "user_id": person.pk if person is not None else None,
        },
    )
    log.info("account.lockout_lifted", actor=actor.pk, user=person.pk if person else None)
    return record
