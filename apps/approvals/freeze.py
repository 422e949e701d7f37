"""Freeze windows: which kinds are frozen now, and the writes that create and end windows."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import policy
from apps.approvals import registry
from apps.approvals.models import FreezeWindow
from apps.core.events import record_event
from apps.core.logging import get_logger

log = get_logger(__name__)

MANAGE_FREEZE = "approvals.manage_freeze"


def active_freeze_windows(now: datetime | None = None) -> QuerySet[FreezeWindow]:
    """Windows in effect now (started, not past their end, not ended early)."""
    return FreezeWindow.objects.active(now).filter(ended_at__isnull=True)


def active_freeze_for(kind: str, now: datetime | None = None) -> FreezeWindow | None:
    """The first window in effect now that freezes ``kind``, or None."""
    for window in active_freeze_windows(now).order_by("starts_at", "pk"):
        if window.freezes(kind):
            return window
    return None


def freeze_window_list(*, user) -> QuerySet[FreezeWindow]:
    if not policy.can(user, "approvals.view_changerequest"):
        return FreezeWindow.objects.none()
    return FreezeWindow.objects.select_related("created_by", "ended_by")


@transaction.atomic
def freeze_window_create(
    *,
    actor,
    name: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    frozen_kinds: list[str] | None = None,
    reason: str,
) -> FreezeWindow:
    """Define a code or config freeze; an empty ``frozen_kinds`` freezes every kind."""
    if not policy.can(actor, MANAGE_FREEZE):
        raise PermissionDenied(_("You may not manage freeze windows."))
    kinds = sorted({str(k).strip() for k in (frozen_kinds or []) if str(k).strip()})
    known = set(registry.registered_kinds())
    unknown = [k for k in kinds if k not in known]
    if unknown:
        raise ValidationError(
            {
                "frozen_kinds": [
                    _("Unknown change kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)}
                ]
            }
        )
    window = FreezeWindow(
        name=(name or "").strip(),
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        frozen_kinds=kinds,
        reason=(reason or "").strip(),
        created_by=actor,
    )
    window.full_clean()
    if window.ends_at <= timezone.now():
        raise ValidationError({"ends_at": [_("The window must end in the future.")]})
    window.save()
    record_event(
        "freeze.created",
        actor=actor,
        target=window,
        data={
            "name": window.name,
            "kind": window.kind,
            "starts_at": window.starts_at.isoformat(),
            "ends_at": window.ends_at.isoformat(),
            "frozen_kinds": kinds,
        },
    )
    log.info("freeze.created", freeze_window=window.pk, actor=actor.pk)
    return window


@transaction.atomic
def freeze_window_end(*, actor, freeze_window_id) -> FreezeWindow:
    """End a current or upcoming window now; its planned times stay as they were."""
    if not policy.can(actor, MANAGE_FREEZE):
        raise PermissionDenied(_("You may not manage freeze windows."))
    try:
        window = FreezeWindow.objects.select_for_update().get(pk=freeze_window_id)
    except (FreezeWindow.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"freeze_window": [_("No such freeze window.")]}) from None
    now = timezone.now()
    if window.ended_at is not None or window.ends_at <= now:
        raise ValidationError({"freeze_window": [_("This window has already ended.")]})
    window.ended_at = now
    window.ended_by = actor
    window.save(update_fields=["ended_at", "ended_by"])
    record_event("freeze.ended", actor=actor, target=window, data={"name": window.name})
    log.info("freeze.ended", freeze_window=window.pk, actor=actor.pk)
    return window
