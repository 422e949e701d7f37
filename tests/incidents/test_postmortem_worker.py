"""Post-mortem reminders on a real Celery worker, with one-second periods: the beat's task
runs often, the owner gets one message per period, delivered, until the post-mortem is
published; an overdue action item's owner is reminded the same way."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from apps.incidents.models import PostMortem
from apps.incidents.services import postmortems as services
from apps.incidents.services.postmortem_reminders import EVENT_ACTION_ITEM, EVENT_POSTMORTEM
from apps.incidents.tasks import action_item_reminders_task, postmortem_reminders_task
from apps.notify.models import OutboxMessage, OutboxStatus
from tests.celery_worker import wait_until, worker_idle
from tests.factories import verified_contact_method
from tests.incidents.factories import commander
from tests.incidents.postmortem_helpers import SECTIONS, resolved

pytestmark = [pytest.mark.celery_worker]

SECOND = 1 / 3600  # one second, in hours


@pytest.fixture(autouse=True)
def short_periods(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.POSTMORTEM_REMINDER_BEFORE_HOURS = SECOND
    settings.POSTMORTEM_REMINDER_REPEAT_HOURS = SECOND
    settings.ACTION_ITEM_REMINDER_REPEAT_HOURS = SECOND


def _messages(event):
    return OutboxMessage.objects.filter(event=event)


def _settled() -> bool:
    """Nothing left for the worker to deliver: the test thread may write now (with SQLite's
    in-memory database the worker shares its connection)."""
    return (
        worker_idle()
        and not OutboxMessage.objects.exclude(status=OutboxStatus.DELIVERED).exists()
        and worker_idle()
    )


def _beat(tasks, *, until, timeout=90.0):
    """Send the tasks about every 0.3 s, as the beat would, until ``until()`` holds."""
    last = [0.0]

    def tick():
        if time.monotonic() - last[0] >= 0.3:
            last[0] = time.monotonic()
            for task in tasks:
                task.delay()
        return until()

    wait_until(tick, timeout=timeout)


def test_reminders__real_worker__one_delivered_message_per_period_until_published(
    celery_worker,
):
    owner = commander()
    verified_contact_method(owner, target="owner@example.test")
    incident = resolved(actor=owner, severity="S1")
    postmortem = incident.postmortem
    PostMortem.objects.filter(pk=postmortem.pk).update(due_at=incident.resolved_at)
    item = services.action_item_create(
        actor=owner,
        postmortem=postmortem,
        title="Alert before the key expires",
        owner=owner,
        due_date=date.today() - timedelta(days=1),
    )

    def delivered(event, n):
        return _messages(event).filter(status=OutboxStatus.DELIVERED).count() >= n and _settled()

    _beat(
        [postmortem_reminders_task, action_item_reminders_task],
        until=lambda: delivered(EVENT_POSTMORTEM, 3) and delivered(EVENT_ACTION_ITEM, 2),
    )

    periods = list(_messages(EVENT_POSTMORTEM).values_list("payload__period", flat=True))
    assert len(periods) == len(set(periods)) >= 3  # one message per period, never two
    assert all(p.startswith("overdue-") for p in periods)
    assert {m.contact_method.user_id for m in _messages(EVENT_POSTMORTEM)} == {owner.pk}
    item_periods = list(_messages(EVENT_ACTION_ITEM).values_list("payload__period", flat=True))
    assert len(item_periods) == len(set(item_periods)) >= 2
    assert _messages(EVENT_ACTION_ITEM).first().payload["action_item_id"] == item.pk

    # Published: the reminders stop, however often the task runs.
    postmortem = services.postmortem_update(actor=owner, postmortem=postmortem, **SECTIONS)
    postmortem = services.postmortem_submit(actor=owner, postmortem=postmortem)
    services.postmortem_publish(actor=owner, postmortem=postmortem)
    sent = _messages(EVENT_POSTMORTEM).count()
    runs = []
    _beat(
        [postmortem_reminders_task],
        until=lambda: (runs.append(1) or len(runs) >= 12) and _settled(),
        timeout=90,
    )
    assert _messages(EVENT_POSTMORTEM).count() == sent
