"""The daily coverage-gap report and the shift-change notice, each sent once."""

from __future__ import annotations

from datetime import date, time

import pytest
import time_machine

from apps.notify.models import OutboxMessage
from apps.oncall.tasks import coverage_gaps_task, shift_change_notices_task
from tests.factories import verified_contact_method
from tests.oncall.conftest import utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def reachable(people):
    def _make(*names):
        made = people(*names)
        for person in made:
            verified_contact_method(person, target=f"{person.username}@example.test")
        return made

    return _make


def _messages(event, username):
    return OutboxMessage.objects.filter(event=event, contact_method__user__username=username)


def test_coverage_gaps_task__weekend_uncovered__lead_told_once_a_day(
    reachable, make_team, make_schedule, make_layer
):
    lead, alice = reachable("lead", "alice")
    team = make_team(lead, alice, lead=lead)
    schedule = make_schedule(team, tz="Europe/Warsaw")
    with time_machine.travel(utc(2027, 6, 1, 6), tick=False):
        make_layer(schedule, [alice], start_date=date(2027, 5, 31), days=[0, 1, 2, 3, 4])

        assert coverage_gaps_task() == 1
        coverage_gaps_task()  # the same day again: nothing new

    (message,) = _messages("warroom.coverage_gaps", "lead")
    assert len(message.payload["gaps"]) == 2  # two weekends in the next 14 days
    assert "Sat" in message.body or "2027-06-05" in message.body
    assert not _messages("warroom.coverage_gaps", "alice").exists()


def test_coverage_gaps_task__fully_covered__nobody_told(
    reachable, make_team, make_schedule, make_layer
):
    lead, alice = reachable("lead", "alice")
    team = make_team(lead, alice, lead=lead)
    with time_machine.travel(utc(2027, 6, 1, 6), tick=False):
        make_layer(
            make_schedule(team, tz="UTC"), [alice], handoff=time(0, 0), start_date=date(2027, 5, 1)
        )

        assert coverage_gaps_task() == 0

    assert not OutboxMessage.objects.filter(event="warroom.coverage_gaps").exists()


def test_shift_change_notices_task__handoff_in_ten_minutes__incoming_told_once(
    reachable, make_team, make_schedule, make_layer
):
    alice, bob = reachable("alice", "bob")
    team = make_team(alice, bob)
    schedule = make_schedule(team, tz="Asia/Jakarta")
    with time_machine.travel(utc(2027, 6, 1, 0), tick=False):
        make_layer(schedule, [alice, bob], handoff=time(9, 0), start_date=date(2027, 6, 1))
    # 09:00 in Jakarta is 02:00 UTC; on 2 June bob takes over from alice.
    with time_machine.travel(utc(2027, 6, 2, 1, 50), tick=False):
        assert shift_change_notices_task() == 1
    with time_machine.travel(utc(2027, 6, 2, 1, 55), tick=False):
        shift_change_notices_task()

    (notice,) = _messages("warroom.shift_change", "bob")
    assert "09:00" in notice.subject
    assert not _messages("warroom.shift_change", "alice").exists()
