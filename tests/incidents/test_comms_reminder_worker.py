"""Late status update reminders on a real Celery worker, with a few-second repeat."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from celery.signals import task_postrun
from django.utils import timezone

from apps.incidents.models import Incident, UpdateReminder
from apps.incidents.tasks import update_reminders_task
from apps.notify.models import OutboxMessage
from tests.celery_worker import wait_until
from tests.factories import verified_contact_method
from tests.incidents.comms_helpers import declared
from tests.incidents.factories import commander

pytestmark = [pytest.mark.celery_worker]


@pytest.fixture
def task_outcomes():
    """What each run of the reminder task returned, as the worker ran them."""
    outcomes: list[int] = []
    lock = threading.Lock()

    def record(sender=None, retval=None, **kwargs):
        if sender is not None and sender.name == "incidents.update_reminders_task":
            with lock:
                outcomes.append(retval)

    task_postrun.connect(record, weak=False, dispatch_uid="tests.incidents.reminder_outcomes")
    yield outcomes
    task_postrun.disconnect(dispatch_uid="tests.incidents.reminder_outcomes")


def _run(outcomes) -> int:
    """Queue one run of the task (as beat does) and wait for what it returned."""
    seen = len(outcomes)
    update_reminders_task.delay()
    wait_until(lambda: len(outcomes) > seen, timeout=30)
    return outcomes[seen]


def test_reminder_task__worker_reminds_once_then_repeats(celery_worker, task_outcomes, settings):
    settings.INCIDENT_UPDATE_REMINDER_REPEAT_MINUTES = 0.05  # 3 seconds
    person = commander()
    verified_contact_method(person)
    incident = declared(actor=person)
    Incident.objects.filter(pk=incident.pk).update(
        next_update_due_at=timezone.now() - timedelta(seconds=1)
    )

    assert _run(task_outcomes) == 1
    # Beats within the same interval send nothing more (it is 3 s long; these take less
    # unless the machine stalls, in which case the next repeat is due and sent: still one
    # reminder per repeat, which is what is checked below).
    _run(task_outcomes)
    assert UpdateReminder.objects.filter(incident=incident, repeat=0).count() == 1

    # Beats keep coming; once the repeat interval has passed the lead is told again.
    def repeated():
        _run(task_outcomes)
        return UpdateReminder.objects.filter(incident=incident).count() >= 2

    wait_until(repeated, timeout=30, interval=0.5)
    repeats = list(UpdateReminder.objects.values_list("repeat", flat=True))
    assert repeats[0] == 0 and len(set(repeats)) == len(repeats)
    assert sum(task_outcomes) == len(repeats)
    reminded = OutboxMessage.objects.filter(
        event="incident.update_late", contact_method__user=person
    )
    assert reminded.count() == len(repeats)
