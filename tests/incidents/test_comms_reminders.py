"""Late status update reminders: who is told, once per due time, repeating while late."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.incidents.models import Incident, IncidentRole, Status, UpdateReminder
from apps.incidents.services.comms import status_update_send, update_reminders_send
from apps.incidents.services.lifecycle import incident_assign_role
from apps.notify.models import OutboxMessage
from tests.factories import UserFactory, verified_contact_method
from tests.incidents.comms_helpers import declared
from tests.incidents.factories import commander

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def repeat_every_15_minutes(settings):
    settings.INCIDENT_UPDATE_REMINDER_REPEAT_MINUTES = 15


def _late(incident, minutes=1):
    due = timezone.now() - timedelta(minutes=minutes)
    Incident.objects.filter(pk=incident.pk).update(next_update_due_at=due)
    return due


def _reminders_to(person):
    return OutboxMessage.objects.filter(
        event="incident.update_late", contact_method__user=person
    ).count()


def test_late_update__commander_reminded_once_per_interval():
    person = commander()
    verified_contact_method(person)
    incident = declared(actor=person)
    due = _late(incident)
    assert update_reminders_send() == 1
    assert update_reminders_send() == 0  # the next beat, same interval: nothing
    assert _reminders_to(person) == 1
    reminder = UpdateReminder.objects.get()
    assert (reminder.due_at, reminder.repeat, reminder.person) == (due, 0, person)
    # Still late one interval later: the second reminder.
    assert update_reminders_send(now=due + timedelta(minutes=16)) == 1
    assert update_reminders_send(now=due + timedelta(minutes=17)) == 0
    assert _reminders_to(person) == 2


def test_late_update__communications_lead_reminded_instead_of_commander():
    person = commander()
    lead = UserFactory(roles=["support"])
    verified_contact_method(person)
    verified_contact_method(lead)
    incident = declared(actor=person)
    incident_assign_role(
        actor=person, incident=incident, role=IncidentRole.COMMUNICATIONS, person=lead
    )
    _late(incident)
    assert update_reminders_send() == 1
    assert (_reminders_to(lead), _reminders_to(person)) == (1, 0)


def test_update_sent__no_reminder_until_the_next_due_time():
    person = commander()
    verified_contact_method(person)
    incident = declared(actor=person)
    _late(incident)
    status_update_send(
        actor=person, incident=incident, audience="internal", language="en", subject="s", body="b"
    )
    assert update_reminders_send() == 0
    incident.refresh_from_db()
    assert update_reminders_send(now=incident.next_update_due_at + timedelta(seconds=1)) == 1


def test_not_due_or_not_open__no_reminder():
    person = commander()
    verified_contact_method(person)
    on_time = declared(actor=person)
    resolved = declared(actor=person)
    _late(resolved)
    Incident.objects.filter(pk=resolved.pk).update(status=Status.RESOLVED)
    assert on_time.next_update_due_at > timezone.now()
    assert update_reminders_send() == 0
    assert not UpdateReminder.objects.exists()
