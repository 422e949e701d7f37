"""The final schedule: DST, rotations, overrides, layer precedence, edits and the past."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils.dateparse import parse_datetime

from apps.audit.models import AuditEvent
from apps.oncall import selectors, services
from apps.oncall.models import LayerVersion
from tests.oncall.conftest import local, utc

pytestmark = pytest.mark.django_db


def _final_via_api(client, schedule, start, end):
    response = client.get(
        f"/v1/oncall/schedules/{schedule.pk}/final",
        {"start": start.isoformat(), "end": end.isoformat()},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    shifts = [
        (parse_datetime(s["start"]), parse_datetime(s["end"]), s["user"]["username"], s["source"])
        for s in body["shifts"]
    ]
    return shifts, body["gaps"]


@pytest.mark.parametrize(
    ("tz", "night", "night_hours"),
    [
        ("Europe/Warsaw", date(2027, 3, 28), 23),  # spring forward: 02:00 -> 03:00
        ("Europe/Warsaw", date(2027, 10, 31), 25),  # fall back: 03:00 -> 02:00
        ("Asia/Jakarta", date(2027, 3, 28), 24),  # no daylight saving at all
        ("Asia/Jakarta", date(2027, 10, 31), 24),
    ],
)
def test_final_schedule__daily_0900_across_dst_night__stays_0900_local_no_gap_no_overlap(
    tz, night, night_hours, people, make_team, make_schedule, make_layer, verified_api_client
):
    alice, bob, carol = people("alice", "bob", "carol")
    team = make_team(alice, bob, carol)
    schedule = make_schedule(team, tz=tz)
    make_layer(
        schedule, [alice, bob, carol], handoff=time(9, 0), start_date=night - timedelta(days=10)
    )
    zone = ZoneInfo(tz)
    start = datetime.combine(night - timedelta(days=3), time(9, 0), tzinfo=zone)
    end = datetime.combine(night + timedelta(days=3), time(9, 0), tzinfo=zone)

    shifts, gaps = _final_via_api(verified_api_client(alice), schedule, start, end)

    assert gaps == []
    assert len(shifts) == 6
    assert shifts[0][0] == start and shifts[-1][1] == end
    for (_s, this_end, _u, _src), (next_start, _e, _u2, _src2) in zip(
        shifts, shifts[1:], strict=False
    ):
        assert this_end == next_start  # no gap, no overlap
    for shift_start, shift_end, _user, _source in shifts:
        assert shift_start.astimezone(zone).time() == time(9, 0)
        assert shift_end.astimezone(zone).time() == time(9, 0)
    spanning = [s for s in shifts if s[0].astimezone(zone).date() == night - timedelta(days=1)]
    assert (spanning[0][1] - spanning[0][0]) == timedelta(hours=night_hours)
    # The rotation keeps its order across the night.
    users = [s[2] for s in shifts]
    assert all(users[i] != users[i + 1] for i in range(len(users) - 1))
    assert users[:3] in (
        ["alice", "bob", "carol"],
        ["bob", "carol", "alice"],
        ["carol", "alice", "bob"],
    )


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


def test_final_schedule__override_in_middle_of_shift__splits_it_exactly(
    people, make_team, make_schedule, make_layer, ops, verified_api_client
):
    alice, bob = people("alice", "bob")
    team = make_team(alice, bob)
    schedule = make_schedule(team)
    make_layer(schedule, [alice], handoff=time(9, 0), start_date=date(2027, 5, 1))
    tz = "Europe/Warsaw"

    response = verified_api_client(ops).post(
        f"/v1/oncall/schedules/{schedule.pk}/overrides/",
        {
            "user": bob.pk,
            "start": local(tz, 2027, 5, 10, 13, 0).isoformat(),
            "end": local(tz, 2027, 5, 10, 17, 30).isoformat(),
            "reason": "dentist",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    final = selectors.final_schedule(schedule, local(tz, 2027, 5, 10, 9), local(tz, 2027, 5, 11, 9))
    assert [(s.start, s.end, s.user_id, s.source_kind) for s in final] == [
        (local(tz, 2027, 5, 10, 9), local(tz, 2027, 5, 10, 13), alice.pk, "layer"),
        (local(tz, 2027, 5, 10, 13), local(tz, 2027, 5, 10, 17, 30), bob.pk, "override"),
        (local(tz, 2027, 5, 10, 17, 30), local(tz, 2027, 5, 11, 9), alice.pk, "layer"),
    ]
    event = AuditEvent.objects.get(name="schedule.override_created")
    assert event.actor == ops and event.data["user"] == bob.pk


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


def test_layer_update__edit_now__past_shifts_unchanged_future_follows_the_edit(
    people, make_team, make_schedule, make_layer, ops, verified_api_client
):
    alice, bob, carol = people("alice", "bob", "carol")
    team = make_team(alice, bob, carol)
    schedule = make_schedule(team, tz="UTC")
    with time_machine.travel(utc(2027, 1, 1, 12), tick=False):
        layer = make_layer(schedule, [alice, bob], handoff=time(8, 0), start_date=date(2027, 1, 1))
    window = (utc(2027, 1, 1, 8), utc(2027, 1, 21, 8))
    with time_machine.travel(utc(2027, 1, 10, 12), tick=False):
        before = selectors.final_schedule(schedule, *window)
        response = verified_api_client(ops).patch(
            f"/v1/oncall/layers/{layer.pk}",
            {"participants": [carol.pk], "handoff_time": "10:00"},
            format="json",
        )
        assert response.status_code == 200, response.content
    after = selectors.final_schedule(schedule, *window)

    edit_time = utc(2027, 1, 10, 12)
    past_before = [s for s in before if s.start < edit_time]
    past_after = [s for s in after if s.start < edit_time]
    assert [(s.start, s.user_id) for s in past_after] == [(s.start, s.user_id) for s in past_before]
    assert past_after[-1].end == edit_time  # the running shift ends when the edit happened
    assert {s.user_id for s in after if s.start >= edit_time} == {carol.pk}
    versions = list(LayerVersion.objects.filter(layer=layer).order_by("effective_from"))
    assert len(versions) == 2
    assert versions[0].effective_until == versions[1].effective_from == edit_time
    assert AuditEvent.objects.filter(name="schedule.layer_updated").count() == 1


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


def test_oncall_now__primary_and_backup__answered_per_team_for_people_and_tokens(
    people, make_team, make_schedule, make_layer, token_client, verified_api_client
):
    alice, bob = people("alice", "bob")
    team = make_team(alice, bob, slug="payments")
    make_layer(make_schedule(team, kind="primary", tz="UTC"), [alice], start_date=date(2027, 1, 1))
    make_layer(make_schedule(team, kind="backup", tz="UTC"), [bob], start_date=date(2027, 1, 1))
    api, _token = token_client(scopes=["oncall:read"])

    response = api.get("/v1/oncall/now", {"team": "payments", "at": "2027-04-01T12:00:00Z"})
    by_person = verified_api_client(bob).get(
        "/v1/oncall/now", {"team": "payments", "at": "2027-04-01T12:00:00Z"}
    )

    assert response.status_code == 200
    (answer,) = response.json()["teams"]
    assert answer["primary"]["user"]["username"] == "alice"
    assert answer["backup"]["user"]["username"] == "bob"
    assert by_person.json() == response.json()
    before_start = api.get("/v1/oncall/now", {"team": "payments", "at": "2026-12-01T12:00:00Z"})
    assert before_start.json()["teams"][0]["primary"] is None
    assert api.get("/v1/oncall/now", {"team": "nope"}).status_code == 404
    assert api.get("/v1/oncall/now", {"at": "yesterday"}).json()["error"]["fields"]["at"]
