"""Celery tasks of the flags app: scheduled changes and the end of temporary states."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from apps.core.logging import get_logger

log = get_logger(__name__)


@shared_task(
    name="flags.apply_due_task",
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=2,
    time_limit=60,
    soft_time_limit=45,
)
def apply_due_task() -> dict:
    """Apply scheduled changes whose time has come and announce ended temporary states.

    Both services are idempotent and lock what they touch, so overlapping runs (a slow
    run and the next beat tick, or two workers) apply and announce each thing once.
    """
    from apps.flags.services import scheduled_changes_apply_due, temporary_states_lapse

    applied = scheduled_changes_apply_due()
    lapsed = temporary_states_lapse()
    if applied or lapsed:
        log.info("flags.apply_due", applied=applied, lapsed=lapsed)
    return {"applied": applied, "lapsed": lapsed}
