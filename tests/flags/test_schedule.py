"""Scheduled changes (agreed in advance, applied at their time) and temporary states that
end; the last tests run a real Celery beat and worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from celery.beat import EmbeddedService, Scheduler
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.approvals.models import ChangeRequest
from apps.approvals.services import change_request_reject
from apps.audit.models import AuditEvent
from apps.flags import evaluation, services
from apps.flags.models import (
    FlagState,
    FlagStateLapse,
    ScheduledFlagChange,
    ScheduledStatus,
    StateSource,
)
from apps.notify.models import OutboxMessage
from opsportal.celery import app as celery_app
from tests.celery_worker import wait_until
from tests.flags.conftest import WEBHOOK_SECRET, approve


def schedule(actor, key="contribute", state="allowed", run_in=timedelta(hours=24), **kwargs):
    kwargs.setdefault("reason", "Open fundraising 24 h after launch")
    return services.scheduled_change_create(
        actor=actor, flag=key, state=state, run_at=timezone.now() + run_in, **kwargs
    )


# --- agreeing in advance -----------------------------------------------------------------


def test_schedule__fund_open__awaits_approval_then_applies_at_its_time(people):
    services.flag_state_set(
        actor=people["ops"], flag="contribute", state="blocked", reason="Hold fundraising"
    )
    scheduled = schedule(people["ops"])
    assert scheduled.status == ScheduledStatus.AWAITING_APPROVAL
    change_request = scheduled.change_request
    assert change_request.target == f"flags.schedule:{scheduled.pk}"
    assert change_request.payload["run_at"] == scheduled.run_at.isoformat()

    # Not approved: its time comes and nothing happens.
    with time_machine.travel(scheduled.run_at + timedelta(seconds=1), tick=False):
        assert services.scheduled_changes_apply_due() == 0
        assert not evaluation.evaluate("contribute").allowed

    assert approve(change_request, people["admin"]).status == ChangeRequest.Status.APPLIED
    scheduled.refresh_from_db()
    assert scheduled.status == ScheduledStatus.SCHEDULED
    assert not evaluation.evaluate("contribute").allowed  # approval alone changes no state

    with time_machine.travel(scheduled.run_at - timedelta(seconds=1), tick=False):
        assert services.scheduled_changes_apply_due() == 0
    with time_machine.travel(scheduled.run_at + timedelta(seconds=1), tick=False):
        assert services.scheduled_changes_apply_due() == 1
        assert services.scheduled_changes_apply_due() == 0  # idempotent
        decision = evaluation.evaluate("contribute")
        assert (decision.allowed, decision.reason) == (True, "ALLOWED")
    scheduled.refresh_from_db()
    row = scheduled.applied_state
    assert scheduled.status == ScheduledStatus.APPLIED and scheduled.applied_at is not None
    assert (row.state, row.source, row.change_request_id) == (
        "allowed",
        StateSource.SCHEDULE,
        change_request.pk,
    )
    assert row.actor == people["ops"]
    assert FlagState.objects.filter(state="allowed").count() == 1


def test_schedule__safe_direction__scheduled_at_once(people):
    scheduled = schedule(
        people["ops"], key="feed.post", state="blocked", run_in=timedelta(minutes=10)
    )
    assert scheduled.status == ScheduledStatus.SCHEDULED and scheduled.change_request is None


def test_schedule__non_fund_open__scheduled_at_once(people):
    scheduled = schedule(people["ops"], key="public_live", state="open")
    assert scheduled.status == ScheduledStatus.SCHEDULED and scheduled.change_request is None


def test_schedule__rejected_request__change_ends_rejected(people):
    scheduled = schedule(people["ops"])
    change_request_reject(
        actor=people["admin"], change_request_id=scheduled.change_request_id, comment="Not yet"
    )
    with time_machine.travel(scheduled.run_at + timedelta(seconds=1), tick=False):
        assert services.scheduled_changes_apply_due() == 0
    scheduled.refresh_from_db()
    assert scheduled.status == ScheduledStatus.REJECTED
    assert not FlagState.objects.exists()


def test_schedule__cancelled__never_applies_and_its_request_is_withdrawn(people):
    scheduled = schedule(people["ops"])
    cancelled = services.scheduled_change_cancel(
        actor=people["ops"], scheduled_change=scheduled, reason="Launch moved"
    )
    assert cancelled.status == ScheduledStatus.CANCELLED
    assert cancelled.cancel_reason == "Launch moved" and cancelled.cancelled_by == people["ops"]
    assert cancelled.change_request.status == ChangeRequest.Status.CANCELLED
    with time_machine.travel(scheduled.run_at + timedelta(seconds=1), tick=False):
        assert services.scheduled_changes_apply_due() == 0
    assert not FlagState.objects.exists()
    with pytest.raises(ValidationError):
        services.scheduled_change_cancel(
            actor=people["ops"], scheduled_change=scheduled, reason="again"
        )


def test_schedule__cancelled_by_someone_else__later_approval_is_a_conflict(people):
    scheduled = schedule(people["ops"])
    services.scheduled_change_cancel(
        actor=people["ops2"], scheduled_change=scheduled, reason="Launch moved"
    )
    decided = approve(scheduled.change_request, people["admin"])
    assert decided.status == ChangeRequest.Status.CONFLICT
    scheduled.refresh_from_db()
    assert scheduled.status == ScheduledStatus.CANCELLED


def test_schedule__who_may(people):
    for role in ("support", "commander", "finance"):
        with pytest.raises(PermissionDenied):
            schedule(people[role], key="feed.post", state="blocked")
    assert not ScheduledFlagChange.objects.exists()


def test_schedule__bad_input__field_errors_and_nothing_written(people):
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        services.scheduled_change_create(
            actor=people["ops"],
            flag="contribute",
            state="open",
            run_at=now - timedelta(minutes=1),
            reason="",
            scope_kind="network",
            scope_value="Not A Slug",
        )
    assert set(refused.value.error_dict) == {"run_at", "state", "reason", "scope_value"}
    with pytest.raises(ValidationError) as early:
        services.scheduled_change_create(
            actor=people["ops"],
            flag="feed.post",
            state="blocked",
            run_at=now + timedelta(hours=2),
            until=now + timedelta(hours=1),
            reason="AMA",
        )
    assert list(early.value.error_dict) == ["until"]
    assert not ScheduledFlagChange.objects.exists() and not ChangeRequest.objects.exists()


def test_schedule__end_passed_before_the_scheduler_ran__not_applied(people):
    scheduled = schedule(
        people["ops"],
        key="feed.post",
        state="blocked",
        run_in=timedelta(minutes=5),
        until=timezone.now() + timedelta(minutes=10),
    )
    with time_machine.travel(scheduled.run_at + timedelta(minutes=6), tick=False):
        assert services.scheduled_changes_apply_due() == 0
    scheduled.refresh_from_db()
    assert scheduled.status == ScheduledStatus.CANCELLED and "had passed" in scheduled.cancel_reason
    assert not FlagState.objects.exists()


# --- temporary states end -----------------------------------------------------------------


def test_temporary_block__lift_announced_once_with_event_and_webhook(people, make_channel):
    channel = make_channel(
        kind="webhook", config={"url": "http://127.0.0.1:9/hook"}, secret=WEBHOOK_SECRET
    )
    services.flag_subscription_create(actor=people["admin"], channel=channel)
    start = timezone.now()
    row = services.flag_state_set(
        actor=people["ops"],
        flag="contribute",
        state="blocked",
        scope_kind="round",
        scope_value="42",
        reason="Cool-down",
        until=start + timedelta(minutes=15),
    ).state
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert services.temporary_states_lapse() == 0
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert evaluation.evaluate("contribute", {"round": "42"}).allowed
        assert services.temporary_states_lapse() == 1
        assert services.temporary_states_lapse() == 0
    assert FlagStateLapse.objects.get().state == row
    event = AuditEvent.objects.get(name="flag.block_lifted")
    assert event.data["state_id"] == row.pk and event.data["now_state"] == "allowed"
    message = OutboxMessage.objects.get(event="flag.block_lifted")
    assert message.payload["before"]["state"] == "blocked"
    assert message.payload["after"] == {"state": "allowed", "default": True, "state_id": None}


# --- a real beat and worker ---------------------------------------------------------------


@pytest.fixture
def celery_beat(celery_worker):
    """Celery beat in a thread, ticking the flags task every half second (production: 5 s),
    sending to the same broker as the running test worker."""
    conf = celery_app.conf
    saved = conf.beat_schedule
    conf.beat_schedule = {
        "flags-apply-due": {"task": "flags.apply_due_task", "schedule": 0.5},
    }
    beat = EmbeddedService(celery_app, thread=True, scheduler_cls=Scheduler, max_interval=0.5)
    beat.start()
    try:
        yield beat
    finally:
        beat.stop()
        beat.join(10)
        conf.beat_schedule = saved


@pytest.mark.celery_worker
def test_schedule__real_beat_and_worker__opens_at_its_time_and_lifts_a_temporary_block(
    people, celery_beat
):
    start = timezone.now()
    scheduled = services.scheduled_change_create(
        actor=people["ops"],
        flag="public_live",
        state="open",
        run_at=start + timedelta(seconds=2),
        reason="Public launch at T0",
    )
    temporary = services.flag_state_set(
        actor=people["ops"],
        flag="feed.post",
        state="blocked",
        reason="Five-second cool-down",
        until=start + timedelta(seconds=3),
    ).state
    assert not evaluation.evaluate("public_live", {"user": "anyone"}).allowed

    # (On SQLite the worker thread shares the test's connection, so wait for the whole
    # outcome - the status is written last - before looking at the parts.)
    wait_until(
        lambda: ScheduledFlagChange.objects.filter(
            pk=scheduled.pk, status=ScheduledStatus.APPLIED
        ).exists(),
        timeout=30,
    )
    assert evaluation.evaluate("public_live", {"user": "anyone"}).allowed
    scheduled.refresh_from_db()
    assert scheduled.applied_at >= scheduled.run_at
    assert scheduled.applied_state.source == StateSource.SCHEDULE
    wait_until(lambda: AuditEvent.objects.filter(name="flag.block_lifted").exists(), timeout=30)
    assert evaluation.evaluate("feed.post").allowed
    # A few more beat ticks: nothing is applied or announced twice.
    ticks_seen = AuditEvent.objects.count()
    import time

    time.sleep(1.5)
    assert FlagState.objects.filter(flag__key="public_live").count() == 1
    assert AuditEvent.objects.filter(name="flag.block_lifted").count() == 1
    assert FlagStateLapse.objects.get().state_id == temporary.pk
    assert AuditEvent.objects.count() == ticks_seen
