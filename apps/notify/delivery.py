"""Outbox delivery: claim a message, send it outside any transaction, record the outcome.

The claim is one conditional UPDATE (pending and due → sending with a lease), so the
delivery task and the sweeper never both send a message. A worker that dies mid-send
leaves the row in ``sending``; once its lease runs out the sweeper hands it back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.core.events import record_event
from apps.core.logging import get_logger
from apps.notify import transports
from apps.notify.models import Channel, ContactMethod, OutboxMessage, OutboxStatus

log = get_logger(__name__)

TEST_EVENT = "notify.test"
SWEEP_BATCH = 200


def lease_seconds() -> int:
    """How long a claim lasts. Longer than a delivery can take (the task's time limit)."""
    return int(getattr(settings, "NOTIFY_LEASE_SECONDS", 300))


def backoff_seconds(attempts: int) -> int:
    """Delay before the next try after ``attempts`` failed ones: base * 2**(attempts-1)."""
    return int(settings.NOTIFY_BACKOFF_SECONDS) * 2 ** max(attempts - 1, 0)


@dataclass(frozen=True)
class Outcome:
    """What one delivery call did. ``retry_in`` says when the task should try again."""

    result: str  # delivered | retry | dead | not_due | skipped
    retry_in: int | None = None


def outbox_claim(*, message_id) -> bool:
    """Take a pending, due message for sending. True if this caller now holds it."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now
    ).update(
        status=OutboxStatus.SENDING,
        lease_until=now + timedelta(seconds=lease_seconds()),
        attempts=F("attempts") + 1,
    )
    return claimed == 1


def _destination(message: OutboxMessage) -> dict:
    if message.channel_id:
        channel: Channel = message.channel
        if not channel.enabled:
            raise transports.PermanentDeliveryError("channel disabled")
        config = channel.config or {}
        return {
            "kind": channel.kind,
            "target": str(config.get("url") or ""),
            "secret": channel.secret,
            "config": config,
        }
    method: ContactMethod = message.contact_method
    return {"kind": method.kind, "target": method.target, "secret": method.secret, "config": {}}


def _envelope(message: OutboxMessage) -> transports.Envelope:
    return transports.Envelope(
        delivery_id=str(message.id),
        subject=message.subject,
        body=message.body,
        event=message.event,
        payload=message.payload or {},
        created_at=message.created_at.isoformat(),
    )


@transaction.atomic
def _record_success(message: OutboxMessage) -> None:
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.DELIVERED, delivered_at=now, lease_until=None, last_error=""
    )
    if message.contact_method_id and message.event == TEST_EVENT:
        # A delivered test proves the contact method reaches its person.
        ContactMethod.objects.filter(pk=message.contact_method_id).update(verified_at=now)


@transaction.atomic
def _record_failure(message: OutboxMessage, reason: str, *, permanent: bool = False) -> Outcome:
    now = timezone.now()
    reason = reason[:300]
    if permanent or message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        buried = OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.DEAD, lease_until=None, last_error=reason
        )
        if not buried:  # the sweeper took it back meanwhile; it decides now
            return Outcome("skipped")
        message.status, message.last_error = OutboxStatus.DEAD, reason
        record_event(
            "notify.dead_letter",
            target=message,
            data={"attempts": message.attempts, "error": reason, "event": message.event},
        )
        log.warning("notify.dead_letter", message=str(message.pk), attempts=message.attempts)
        return Outcome("dead")
    delay = backoff_seconds(message.attempts)
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.PENDING,
        lease_until=None,
        last_error=reason,
        next_attempt_at=now + timedelta(seconds=delay),
    )
    return Outcome("retry", retry_in=delay)


def outbox_deliver(*, message_id) -> Outcome:
    """Deliver one outbox message if it is pending and due; record what happened."""
    if not outbox_claim(message_id=message_id):
        row = (
            OutboxMessage.objects.filter(pk=message_id).values("status", "next_attempt_at").first()
        )
        if row and row["status"] == OutboxStatus.PENDING:
            wait = (row["next_attempt_at"] - timezone.now()).total_seconds()
            return Outcome("not_due", retry_in=max(1, math.ceil(wait)))
        return Outcome("skipped")
    message = OutboxMessage.objects.select_related("channel", "contact_method").get(pk=message_id)
    try:
        transports.deliver(envelope=_envelope(message), **_destination(message))
    except transports.PermanentDeliveryError as exc:
        log.info("notify.delivery_refused", message=str(message.pk), error=str(exc))
        return _record_failure(message, str(exc), permanent=True)
    except transports.DeliveryError as exc:
        log.info(
            "notify.delivery_failed",
            message=str(message.pk),
            attempt=message.attempts,
            error=str(exc),
        )
        return _record_failure(message, str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug in a sender must not lose the message
        log.exception("notify.delivery_crashed", message=str(message.pk))
        return _record_failure(message, f"internal error ({type(exc).__name__})")
    _record_success(message)
    log.info("notify.delivered", message=str(message.pk), attempt=message.attempts)
    return Outcome("delivered")


def outbox_sweep(*, limit: int = SWEEP_BATCH) -> list[str]:
    """Hand back messages whose lease ran out and list the ids that are due now.

    A message whose lease expired was being sent by a worker that crashed or hung; it
    becomes pending again (or dead, if that was its last attempt).
    """
    now = timezone.now()
    expired = list(
        OutboxMessage.objects.filter(status=OutboxStatus.SENDING, lease_until__lt=now).values_list(
            "pk", flat=True
        )[:limit]
    )
    for message_id in expired:
        released = OutboxMessage.objects.filter(
            pk=message_id,
            status=OutboxStatus.SENDING,
            lease_until__lt=now,
            attempts__lt=settings.NOTIFY_MAX_ATTEMPTS,
        ).update(
            status=OutboxStatus.PENDING,
            lease_until=None,
            next_attempt_at=now,
            last_error="delivery interrupted",
        )
        if not released:
            _bury_expired(message_id, now)
        log.warning("notify.lease_expired", message=str(message_id))
    due = (
        OutboxMessage.objects.filter(Q(status=OutboxStatus.PENDING) & Q(next_attempt_at__lte=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return [str(pk) for pk in due]


@transaction.atomic
def _bury_expired(message_id, now) -> None:
    buried = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxStatus.SENDING, lease_until__lt=now
    ).update(status=OutboxStatus.DEAD, lease_until=None, last_error="delivery interrupted")
    if buried:
        message = OutboxMessage.objects.get(pk=message_id)
        record_event(
            "notify.dead_letter",
            target=message,
            data={"attempts": message.attempts, "error": message.last_error},
        )
