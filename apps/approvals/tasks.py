"""Periodic work of the approvals app."""

from celery import shared_task
from django.db import OperationalError

from apps.approvals.services import change_requests_expire


@shared_task(
    name="approvals.expire_task",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    time_limit=120,
    soft_time_limit=90,
)
def change_requests_expire_task() -> int:
    """Mark overdue pending change requests as expired (see CELERY_BEAT_SCHEDULE)."""
    return change_requests_expire()
