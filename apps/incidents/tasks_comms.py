"""Celery tasks of incident status updates: reminders that an update is late."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from apps.core.logging import get_logger

log = get_logger(__name__)

__all__ = ["update_reminders_task"]


@shared_task(
    name="incidents.update_reminders_task",
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=5,
    time_limit=120,
    soft_time_limit=90,
)
def update_reminders_task() -> int:
    """Remind communications leads of late status updates (beat, every minute); running it
    twice for the same late update sends one reminder."""
    from apps.incidents.services.comms import update_reminders_send

    sent = update_reminders_send()
    if sent:
        log.info("incident.update_reminders_sent", count=sent)
    return sent
