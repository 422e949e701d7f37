"""Celery tasks of post-mortems: reminders to owners of post-mortems and action items."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

__all__ = ["action_item_reminders_task", "postmortem_reminders_task"]


@shared_task(
    name="incidents.postmortem_reminders_task",
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=5,
    time_limit=120,
    soft_time_limit=90,
)
def postmortem_reminders_task() -> int:
    """Remind owners of post-mortems due soon or overdue (one message per period)."""
    from apps.incidents.services.postmortem_reminders import postmortem_reminders_send

    return postmortem_reminders_send()


@shared_task(
    name="incidents.action_item_reminders_task",
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=5,
    time_limit=120,
    soft_time_limit=90,
)
def action_item_reminders_task() -> int:
    """Remind owners of overdue action items, also after the incident closed."""
    from apps.incidents.services.postmortem_reminders import action_item_reminders_send

    return action_item_reminders_send()
