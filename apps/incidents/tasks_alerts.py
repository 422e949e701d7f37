"""Celery tasks of the alert intake: process a stored delivery, sweep up forgotten ones."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from apps.core.logging import get_logger

log = get_logger(__name__)

__all__ = ["process_alert_delivery", "sweep_alert_deliveries"]


# acks_late: a worker that dies mid-delivery leaves the message to be redelivered; the
# delivery's processed_at (and the unique alert events) make a second run a no-op. A
# delivery whose message is lost for good is found by the sweep below.
@shared_task(
    name="incidents.process_alert_delivery",
    bind=True,
    acks_late=True,
    max_retries=8,
    time_limit=120,
    soft_time_limit=90,
)
def process_alert_delivery(self, delivery_id: int) -> str:
    from apps.incidents.services.alerts import delivery_failed, delivery_process

    try:
        outcome = delivery_process(delivery_id)
    except DatabaseError as exc:
        delivery_failed(delivery_id, f"{type(exc).__name__}: {exc}")
        log.warning("alerts.delivery_retry", delivery=delivery_id, error=str(exc)[:200])
        raise self.retry(exc=exc, countdown=min(2**self.request.retries, 60)) from exc
    log.info("alerts.delivery", delivery=delivery_id, outcome=outcome)
    return outcome


@shared_task(name="incidents.sweep_alert_deliveries", time_limit=120, soft_time_limit=90)
def sweep_alert_deliveries() -> int:
    """Queue again the deliveries left unprocessed (a crash, a lost message)."""
    from apps.incidents.services.alerts import deliveries_to_sweep

    due = deliveries_to_sweep()
    for delivery_id in due:
        process_alert_delivery.delay(delivery_id)
    if due:
        log.info("alerts.swept", queued=len(due))
    return len(due)
