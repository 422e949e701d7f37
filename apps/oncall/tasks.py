"""Celery tasks of on call: page steps, the page sweep, gap reports, shift notices.

Their names keep the "warroom." prefix they had before on call became its own app, so
messages queued before a deploy and the beat schedule still find them.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from apps.core.logging import get_logger

log = get_logger(__name__)


# acks_late: a worker that dies mid-step leaves the message to be redelivered; the step's
# PageStepRun row (unique per page, step and pass) makes the redelivery a no-op if the
# step had committed.
@shared_task(
    name="warroom.page_step_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    max_retries=5,
    retry_backoff=2,
    time_limit=60,
    soft_time_limit=45,
)
def page_step_task(page_id: int, step_index: int, repeat: int = 0) -> str:
    """Run step ``step_index`` (pass ``repeat``) of a page, if it is still due."""
    from apps.oncall.services import page_step_run

    outcome = page_step_run(page_id=page_id, step_index=step_index, repeat=repeat)
    log.info("page.step_task", page=page_id, step=step_index + 1, repeat=repeat, outcome=outcome)
    return outcome


@shared_task(name="warroom.page_sweep_task", time_limit=60, soft_time_limit=45)
def page_sweep_task() -> int:
    """Re-queue overdue page steps (a task lost with a killed worker); duplicates no-op."""
    from apps.oncall.services import page_sweep

    due = page_sweep()
    for page_id, step_index, repeat in due:
        page_step_task.delay(page_id, step_index, repeat)
    if due:
        log.info("page.swept", queued=len(due))
    return len(due)


@shared_task(
    name="warroom.coverage_gaps_task",
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=30,
    time_limit=300,
    soft_time_limit=240,
)
def coverage_gaps_task() -> int:
    """Tell team leads about on-call gaps in the next 14 days (daily)."""
    from apps.oncall.services import coverage_gaps_report

    return coverage_gaps_report()


@shared_task(
    name="warroom.shift_change_notices_task",
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=5,
    time_limit=120,
    soft_time_limit=90,
)
def shift_change_notices_task() -> int:
    """Tell people whose on-call shift starts in the next few minutes."""
    from apps.oncall.services import shift_change_notices

    return shift_change_notices()
