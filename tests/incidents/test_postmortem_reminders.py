"""Reminders: the post-mortem's owner before and after the due time, repeating until it is
published; overdue action items, also after the incident closed; one message per period
however often the task runs. Time is passed in (``now=``), never waited for."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from apps.incidents.models import ActionItemStatus, Status
from apps.incidents.services import postmortems as services
from apps.incidents.services.lifecycle import incident_set_status
from apps.incidents.services.postmortem_reminders import (
    EVENT_ACTION_ITEM,
    EVENT_POSTMORTEM,
    action_item_reminders_send,
    overdue_since,
    postmortem_reminders_send,
)
from apps.notify.models import OutboxMessage
from tests.factories import UserFactory, verified_contact_method
from tests.incidents.factories import commander
from tests.incidents.postmortem_helpers import published, resolved

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def periods(settings):
    settings.POSTMORTEM_REMINDER_BEFORE_HOURS = 12
    settings.POSTMORTEM_REMINDER_REPEAT_HOURS = 24
    settings.ACTION_ITEM_REMINDER_REPEAT_HOURS = 48


def _owner():
    person = commander()
    verified_contact_method(person, target=f"{person.username}@example.test")
    return person


def _periods(event: str) -> list[str]:
    """The periods reminded of, in the order of their index ("before" first)."""
    periods = OutboxMessage.objects.filter(event=event).values_list("payload__period", flat=True)
    return sorted(periods, key=lambda p: -1 if p == "before" else int(p.split("-")[1]))


def test_postmortem__before_due_at_due_then_every_repeat__until_published():
    incident = resolved(actor=_owner())
    due = incident.postmortem.due_at

    timeline = [
        due - timedelta(hours=13),  # too early
        due - timedelta(hours=11),  # "before"
        due - timedelta(hours=1),  # still "before": nothing new
        due + timedelta(minutes=1),  # overdue-0
        due + timedelta(hours=5),  # nothing new
        due + timedelta(hours=24, minutes=1),  # overdue-1
        due + timedelta(hours=30),
    ]
    counts = [postmortem_reminders_send(now=moment) for moment in timeline]

    assert counts == [0, 1, 0, 1, 0, 1, 0]
    assert _periods(EVENT_POSTMORTEM) == ["before", "overdue-0", "overdue-1"]
    message = OutboxMessage.objects.get(event=EVENT_POSTMORTEM, payload__period="overdue-1")
    assert message.contact_method.user == incident.owner
    assert incident.number in message.subject and "overdue" in message.subject
    incident.postmortem.refresh_from_db()
    assert incident.postmortem.reminders_sent == 3

    published(incident)
    assert postmortem_reminders_send(now=due + timedelta(hours=72)) == 0
    assert len(_periods(EVENT_POSTMORTEM)) == 3


def test_postmortem__task_run_twice_in_one_period__one_message():
    incident = resolved(actor=_owner())
    late = incident.postmortem.due_at + timedelta(hours=1)
    assert postmortem_reminders_send(now=late) == 1
    assert postmortem_reminders_send(now=late) == 0
    assert postmortem_reminders_send(now=late + timedelta(minutes=5)) == 0
    assert _periods(EVENT_POSTMORTEM) == ["overdue-0"]


def test_postmortem__new_owner_gets_the_next_reminder():
    incident = resolved(actor=_owner())
    due = incident.postmortem.due_at
    postmortem_reminders_send(now=due + timedelta(hours=1))
    other = _owner()
    services.postmortem_update(actor=incident.owner, postmortem=incident.postmortem, owner=other)
    postmortem_reminders_send(now=due + timedelta(hours=25))
    last = OutboxMessage.objects.get(event=EVENT_POSTMORTEM, payload__period="overdue-1")
    assert last.contact_method.user == other


def _item(incident, *, owner, due: date, status=ActionItemStatus.OPEN):
    return services.action_item_create(
        actor=incident.owner,
        postmortem=incident.postmortem,
        title=f"Follow-up due {due}",
        owner=owner,
        due_date=due,
        status=status,
    )


def test_overdue_action_items__reminded_every_repeat_also_after_close():
    incident = resolved(actor=_owner())
    doer = UserFactory(roles=["ops"])
    verified_contact_method(doer, target="doer@example.test")
    today = date(2026, 3, 10)
    late = _item(incident, owner=doer, due=today - timedelta(days=2))
    _item(incident, owner=doer, due=today + timedelta(days=5))  # not yet due
    _item(incident, owner=doer, due=today - timedelta(days=9), status=ActionItemStatus.DONE)
    published(incident)
    incident_set_status(actor=incident.owner, incident=incident, status=Status.CLOSED)

    start = overdue_since(late.due_date)
    counts = [
        action_item_reminders_send(now=start + timedelta(hours=hours))
        for hours in (1, 2, 47, 49, 50, 97)
    ]

    assert counts == [1, 0, 0, 1, 0, 1]
    assert _periods(EVENT_ACTION_ITEM) == ["overdue-0", "overdue-1", "overdue-2"]
    message = OutboxMessage.objects.get(event=EVENT_ACTION_ITEM, payload__period="overdue-0")
    assert message.contact_method.user == doer
    assert message.payload["action_item_id"] == late.pk
    assert incident.number in message.body


def test_action_item_done__no_more_reminders():
    incident = resolved(actor=_owner())
    item = _item(incident, owner=incident.owner, due=date(2026, 3, 1))
    start = overdue_since(item.due_date)
    assert action_item_reminders_send(now=start + timedelta(hours=1)) == 1
    services.action_item_update(actor=incident.owner, item=item, status=ActionItemStatus.DONE)
    assert action_item_reminders_send(now=start + timedelta(days=10)) == 0


def test_action_item_due_today_is_not_overdue():
    incident = resolved(actor=_owner())
    item = _item(incident, owner=incident.owner, due=date(2026, 3, 1))
    assert action_item_reminders_send(now=overdue_since(item.due_date) - timedelta(hours=1)) == 0
