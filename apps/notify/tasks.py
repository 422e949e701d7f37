"""Celery tasks of the outbox: deliver one message, and sweep for due or abandoned ones."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from apps.core.logging import get_logger
from apps.notify.delivery import outbox_deliver, outbox_sweep

log = get_logger(__name__)


# Attempts are counted on the outbox row (NOTIFY_MAX_ATTEMPTS), not by Celery: the task
# re-schedules itself after a failure until the row says the message is delivered or dead.
# The time limit stays under the claim's lease (NOTIFY_LEASE_SECONDS, 300 s by default).
@shared_task(
    name="notify.outbox_deliver_task",
    bind=True,
    max_retries=None,
    acks_late=True,
    time_limit=120,
    soft_time_limit=90,
)
def outbox_deliver_task(self, message_id: str) -> str:
    """Deliver one outbox message; after a failure try again when its backoff is over."""
    outcome = outbox_deliver(message_id=message_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        # Eager mode would re-run at once, ignoring the countdown; the sweeper covers it.
        # A countdown past CELERY_MAX_ETA_SECONDS (see settings) arrives early, finds the
        # message not due and waits again.
        raise self.retry(countdown=min(outcome.retry_in, settings.CELERY_MAX_ETA_SECONDS))
    return outcome.result


@shared_task(name="notify.outbox_sweep_task", time_limit=120, soft_time_limit=90)
def outbox_sweep_task() -> int:
    """Queue every due message, including those a crashed worker left half-sent."""
    message_ids = outbox_sweep()
    for message_id in message_ids:
        outbox_deliver_task.delay(message_id)
    if message_ids:
        log.info("notify.outbox_swept", queued=len(message_ids))
    return len(message_ids)
