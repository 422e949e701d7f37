"""The final schedule: DST, rotations, overrides, layer precedence, edits and the past."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import time_machine

from apps.oncall import selectors, services
from tests.oncall.conftest import local, utc

pytestmark = pytest.mark.django_db


def test_final_schedule__weekly_rotation_of_three__cycles_for_ten_weeks(
    people, make_team, make_schedule, make_layer
):
    alice, bob, carol = people("alice", "bob", "carol")
    team = make_team(alice, bob, carol)
    schedule = make_schedule(team, tz="Asia/Jakarta")
    monday = date(2027, 1, 4)
    make_layer(
        schedule, [alice, bob, carol], shift_kind="weekly", handoff=time(10, 0), start_date=monday
    )
    start = local("Asia/Jakarta", 2027, 1, 4, 10, 0)

    final = selectors.final_schedule(schedule, start, start + timedelta(weeks=10))

    assert [s.user_id for s in final] == [alice.pk, bob.pk, carol.pk] * 3 + [alice.pk]
    assert all(s.end - s.start == timedelta(weeks=1) for s in final)
    assert final[4].start == local("Asia/Jakarta", 2027, 2, 1, 10, 0)


def test_final_schedule__higher_layer__wins_where_it_applies_lower_shows_through(
    people, make_team, make_schedule, make_layer
):
    alice, bob = people("alice", "bob")
    team = make_team(alice, bob)
    schedule = make_schedule(team, tz="Europe/Warsaw")
    make_layer(schedule, [alice], start_date=date(2027, 6, 1), priority=1, name="base")
    # Weekdays only (Mon-Fri handoff-to-handoff windows), on top.
    make_layer(schedule, [bob], start_date=date(2027, 6, 1), priority=5, days=[0, 1, 2, 3, 4])
    tz = "Europe/Warsaw"
    monday = local(tz, 2027, 6, 7, 9)

    final = selectors.final_schedule(schedule, monday, monday + timedelta(days=7))

    assert [(s.start, s.end, s.user_id) for s in final] == [
        (monday, local(tz, 2027, 6, 12, 9), bob.pk),  # Mon 09:00 -> Sat 09:00
        (local(tz, 2027, 6, 12, 9), local(tz, 2027, 6, 14, 9), alice.pk),  # the weekend
    ]


def test_final_schedule__override_beats_every_layer_and_gap_reported(
    people, make_team, make_schedule, make_layer, ops
):
    alice, bob = people("alice", "bob")
    team = make_team(alice, bob)
    schedule = make_schedule(team, tz="Europe/Warsaw")
    tz = "Europe/Warsaw"
    make_layer(
        schedule, [alice], start_date=date(2027, 6, 1), end_date=date(2027, 6, 3), priority=9
    )
    services.override_create(
        actor=ops,
        schedule=schedule,
        user=bob,
        start=local(tz, 2027, 6, 2, 0),
        end=local(tz, 2027, 6, 4, 0),
    )

    start, end = local(tz, 2027, 6, 1, 9), local(tz, 2027, 6, 5, 9)
    final = selectors.final_schedule(schedule, start, end)

    assert [(s.start, s.end, s.user_id) for s in final] == [
        (start, local(tz, 2027, 6, 2, 0), alice.pk),
        (local(tz, 2027, 6, 2, 0), local(tz, 2027, 6, 4, 0), bob.pk),
    ]
    gaps = selectors.rotation.gaps(final, start, end)
    assert [(g.start, g.end) for g in gaps] == [(local(tz, 2027, 6, 4, 0), end)]


def test_override_cancel__while_running__past_part_stays(
    people, make_team, make_schedule, make_layer, ops
):
    alice, bob = people("alice", "bob")
    team = make_team(alice, bob)
    schedule = make_schedule(team, tz="UTC")
    with time_machine.travel(utc(2027, 2, 1, 0), tick=False):
        make_layer(schedule, [alice], handoff=time(0, 0), start_date=date(2027, 2, 1))
        override = services.override_create(
            actor=ops, schedule=schedule, user=bob, start=utc(2027, 2, 2, 0), end=utc(2027, 2, 3, 0)
        )
    with time_machine.travel(utc(2027, 2, 2, 6), tick=False):
        services.override_cancel(actor=ops, override=override)

    final = selectors.final_schedule(schedule, utc(2027, 2, 2), utc(2027, 2, 3))

    assert [(s.start, s.end, s.user_id) for s in final] == [
        (utc(2027, 2, 2, 0), utc(2027, 2, 2, 6), bob.pk),
        (utc(2027, 2, 2, 6), utc(2027, 2, 3, 0), alice.pk),
    ]
