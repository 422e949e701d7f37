"""The on-call API under /v1/ (apps/oncall/api/views/): who is on call, the final
schedule, layers and overrides, calendar feeds, teams and escalation policies."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.audit.models import AuditEvent
from apps.notify.services import contact_method_create
from apps.oncall import selectors, services
from apps.oncall.models import (
    CalendarFeed,
    EscalationPolicy,
    LayerVersion,
    Override,
    RotationLayer,
)
from tests.factories import verified_contact_method
from tests.oncall import oncall_fixtures
from tests.oncall.conftest import local, utc
from tests.oncall.oncall_fixtures import LAYER, WEDNESDAY_NOON, create_feed, fetch_feed

pytestmark = pytest.mark.django_db

setup = oncall_fixtures.setup
two_teams = oncall_fixtures.two_teams
rota = oncall_fixtures.board_rota
feed_rota = oncall_fixtures.feed_rota


# --- on call now and the final schedule ---------------------------------------------------


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


def test_oncall_now_api__one_person_weekly_backup__ends_at_the_next_handoff(rota, token_client):
    api, _token = token_client(scopes=["oncall:read"])

    answer = api.get("/v1/oncall/now", {"team": "payments", "at": "2027-06-02T12:00:00Z"})
    answer = answer.json()["teams"][0]

    assert answer["backup"]["start"] == "2027-05-31T09:00:00Z"
    assert answer["backup"]["end"] == "2027-06-07T09:00:00Z"
    assert answer["primary"]["start"] == "2027-06-02T09:00:00Z"
    assert answer["primary"]["end"] == "2027-06-03T09:00:00Z"


def test_oncall_now_api__override_longer_than_the_window__ends_when_the_override_ends(
    rota, ops, token_client
):
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        services.override_create(
            actor=ops,
            schedule=rota["primary"],
            user=rota["bob"],
            start=WEDNESDAY_NOON,
            end=WEDNESDAY_NOON + timedelta(days=40),
            reason="Parental leave cover",
        )
    api, _token = token_client(scopes=["oncall:read"])

    answer = api.get("/v1/oncall/now", {"team": "payments", "at": "2027-06-02T13:00:00Z"})
    answer = answer.json()["teams"][0]

    assert answer["primary"]["user"]["username"] == "bob"
    assert answer["primary"]["end"] == "2027-07-12T12:00:00Z"


def test_schedule_final_api__person_unverified__unreachable_stretch_and_not_covered(
    rota, token_client
):
    contact_method_create(actor=rota["bob"], kind="email", target="bob@example.test")
    verified_contact_method(rota["alice"])
    api, _token = token_client(scopes=["oncall:read"])
    window = {"start": "2027-06-02T12:00:00Z", "end": "2027-06-09T12:00:00Z"}

    backup = api.get(f"/v1/oncall/schedules/{rota['backup'].pk}/final", window).json()
    primary = api.get(f"/v1/oncall/schedules/{rota['primary'].pk}/final", window).json()

    assert backup["gaps"] == []
    assert backup["covered"] is False
    (stretch,) = backup["unreachable"]
    assert stretch["user"]["username"] == "bob"
    assert stretch["reason"] == "no_verified_contact_method"
    assert (stretch["start"], stretch["end"]) == (window["start"], window["end"])
    assert {s["reachable"] for s in backup["shifts"]} == {False}
    assert primary["covered"] is True and primary["unreachable"] == []
    assert {s["reachable"] for s in primary["shifts"]} == {True}


# --- refused input names the field, and nothing changes -------------------------------


def _post_layer(setup, **changes):
    body = {**LAYER, "participants": [setup["alice"].pk], **changes}
    return setup["api"].post(
        f"/v1/oncall/schedules/{setup['schedule'].pk}/layers/", body, format="json"
    )


def _fields(response) -> dict:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    return error["fields"]


def test_layer_create__shift_length_zero__refused(setup):
    fields = _fields(_post_layer(setup, shift_length=0))

    assert "at least 1" in " ".join(fields["shift_length"])
    assert not RotationLayer.objects.exists() and not LayerVersion.objects.exists()


def test_layer_create__handoff_in_spring_forward_gap__refused_with_explanation(setup):
    fields = _fields(_post_layer(setup, handoff_time="02:30", start_date="2027-03-28"))

    message = " ".join(fields["handoff_time"])
    assert "02:30 does not exist on 2027-03-28 in Europe/Warsaw" in message
    assert "from 02:00 to 03:00" in message
    assert not LayerVersion.objects.exists()


def test_layer_create__handoff_in_fall_back_hour__accepted_first_occurrence(setup):
    response = _post_layer(setup, handoff_time="02:30", start_date="2027-10-31")

    assert response.status_code == 201, response.content


def test_layer_create__participant_not_on_team__refused_naming_them(setup):
    fields = _fields(_post_layer(setup, participants=[setup["alice"].pk, setup["outsider"].pk]))

    assert "outsider" in " ".join(fields["participants"])
    assert not LayerVersion.objects.exists()


def test_layer_create__unknown_timezone_on_schedule__refused(setup):
    response = setup["api"].post(
        "/v1/oncall/schedules/",
        {"team": setup["team"].slug, "kind": "backup", "timezone": "Mars/Olympus"},
        format="json",
    )

    assert "IANA" in " ".join(_fields(response)["timezone"])


def test_override_create__ends_before_it_starts__refused(setup):
    response = setup["api"].post(
        f"/v1/oncall/schedules/{setup['schedule'].pk}/overrides/",
        {
            "user": setup["bob"].pk,
            "start": "2027-05-10T17:00:00+02:00",
            "end": "2027-05-10T13:00:00+02:00",
        },
        format="json",
    )

    assert "must end after it starts" in " ".join(_fields(response)["end"])
    assert not Override.objects.exists()


def test_override_create__person_not_on_team__refused(setup):
    response = setup["api"].post(
        f"/v1/oncall/schedules/{setup['schedule'].pk}/overrides/",
        {
            "user": setup["outsider"].pk,
            "start": "2027-05-10T13:00:00+02:00",
            "end": "2027-05-10T17:00:00+02:00",
        },
        format="json",
    )

    assert "not on team" in " ".join(_fields(response)["user"])


@pytest.mark.parametrize("minutes", [0, 1441, -5])
def test_policy_create__wait_zero_or_over_24h__refused(setup, minutes):
    response = setup["api"].post(
        "/v1/escalation-policies/",
        {
            "team": setup["team"].slug,
            "name": "Bad waits",
            "steps": [
                {"kind": "notify_user", "user": setup["alice"].pk},
                {"kind": "wait", "wait_minutes": minutes},
                {"kind": "notify_team_lead"},
            ],
        },
        format="json",
    )

    message = " ".join(_fields(response)["steps"])
    assert "Step 2" in message and "1440" in message
    assert not EscalationPolicy.objects.filter(name="Bad waits").exists()


def test_policy_create__repeat_pointing_forward__refused(setup):
    response = setup["api"].post(
        "/v1/escalation-policies/",
        {
            "team": setup["team"].slug,
            "name": "Loop",
            "steps": [
                {"kind": "notify_user", "user": setup["alice"].pk},
                {"kind": "repeat", "repeat_from": 2, "repeat_times": 2},
            ],
        },
        format="json",
    )

    assert "earlier step" in " ".join(_fields(response)["steps"])


# --- team leads edit their own team's schedules and policies (per-object grants) ------


def _override(api, schedule, user):
    start = timezone.now() + timedelta(days=1)
    return api.post(
        f"/v1/oncall/schedules/{schedule.pk}/overrides/",
        {
            "user": user.pk,
            "start": start.isoformat(),
            "end": (start + timedelta(hours=2)).isoformat(),
        },
        format="json",
    )


def test_override__team_lead_on_own_schedule__allowed(two_teams, verified_api_client):
    response = _override(
        verified_api_client(two_teams["lead"]), two_teams["mine"], two_teams["member"]
    )

    assert response.status_code == 201, response.content
    assert Override.objects.get().created_by == two_teams["lead"]


def test_override__team_lead_on_other_teams_schedule__refused(two_teams, verified_api_client):
    response = _override(
        verified_api_client(two_teams["lead"]), two_teams["theirs"], two_teams["other_lead"]
    )

    assert response.status_code == 403
    assert not Override.objects.exists()


def test_override__plain_member__refused(two_teams, verified_api_client):
    response = _override(
        verified_api_client(two_teams["member"]), two_teams["mine"], two_teams["member"]
    )

    assert response.status_code == 403


def test_override__lead_replaced__old_lead_loses_the_grant(two_teams, ops, verified_api_client):
    services.team_set_lead(actor=ops, team=two_teams["team"], lead=two_teams["member"])

    old = _override(verified_api_client(two_teams["lead"]), two_teams["mine"], two_teams["member"])
    new = _override(verified_api_client(two_teams["member"]), two_teams["mine"], two_teams["lead"])

    assert old.status_code == 403
    assert new.status_code == 201, new.content


def test_policy__lead_edits_own_teams_policy(two_teams, ops, verified_api_client):
    policy = services.policy_create(
        actor=ops, team=two_teams["team"], name="Chain", steps=[{"kind": "notify_team_lead"}]
    )

    response = verified_api_client(two_teams["lead"]).patch(
        f"/v1/escalation-policies/{policy.pk}", {"description": "ours"}, format="json"
    )

    assert response.status_code == 200, response.content
    policy.refresh_from_db()
    assert policy.description == "ours"


def test_team_member_remove__still_in_a_rotation__refused(
    two_teams, ops, make_layer, verified_api_client
):
    make_layer(two_teams["mine"], [two_teams["member"]])

    response = verified_api_client(ops).delete(
        f"/v1/teams/{two_teams['team'].slug}/members",
        {"user": two_teams["member"].pk},
        format="json",
    )

    assert response.status_code == 400
    assert "rotation" in " ".join(response.json()["error"]["fields"]["user"])
    assert two_teams["team"].is_member(two_teams["member"])


# --- calendar feeds: unguessable, revocable secret URLs -------------------------------


def test_feed_url__unguessable_secret_stored_hashed(feed_rota, verified_api_client):
    api = verified_api_client(feed_rota["alice"])
    one = create_feed(api, kind="schedule", schedule=feed_rota["schedule"].pk)
    two = create_feed(api, kind="person")

    tokens = [
        re.search(r"/warroom/ical/([A-Za-z0-9_-]+)\.ics$", f["url"]).group(1) for f in (one, two)
    ]

    assert all(len(token) >= 43 for token in tokens)  # 32 random bytes, urlsafe base64
    assert tokens[0] != tokens[1]
    stored = CalendarFeed.objects.get(pk=one["id"])
    assert stored.token_hash == CalendarFeed.hash_token(tokens[0]) and tokens[0] not in str(
        CalendarFeed.objects.values().get(pk=one["id"])
    )
    listing = api.get("/v1/oncall/feeds/").content.decode()
    assert tokens[0] not in listing and tokens[1] not in listing
    assert AuditEvent.objects.filter(name="calendar_feed.created").count() == 2


def test_feed_url__revoked_or_other_addresses__404(feed_rota, verified_api_client):
    api = verified_api_client(feed_rota["alice"])
    feed = create_feed(api, kind="schedule", schedule=feed_rota["schedule"].pk)
    token = feed["url"].rsplit("/", 1)[1][: -len(".ics")]
    stored = CalendarFeed.objects.get(pk=feed["id"])
    anonymous = Client()

    assert anonymous.get(f"/warroom/ical/{token}.ics").status_code == 200
    assert anonymous.get(f"/warroom/ical/{token}").status_code == 404
    assert anonymous.get(f"/warroom/ical/{stored.token_hash}.ics").status_code == 404
    assert anonymous.get(f"/warroom/ical/{token[:-1]}x.ics").status_code == 404
    assert anonymous.get(f"/warroom/ical/{token.upper()}.ics").status_code == 404

    response = api.post(f"/v1/oncall/feeds/{feed['id']}/revoke", format="json")

    assert response.status_code == 200
    assert anonymous.get(f"/warroom/ical/{token}.ics").status_code == 404
    assert AuditEvent.objects.filter(name="calendar_feed.revoked").exists()


def test_feed_rotate__old_url_dies_new_url_works(feed_rota, verified_api_client):
    api = verified_api_client(feed_rota["bob"])
    feed = create_feed(api, kind="person")

    rotated = api.post(f"/v1/oncall/feeds/{feed['id']}/rotate", format="json").json()

    assert fetch_feed(feed["url"]).status_code == 404
    assert fetch_feed(rotated["url"]).status_code == 200


def test_feed_revoke__someone_elses_feed__not_found(feed_rota, verified_api_client):
    feed = create_feed(verified_api_client(feed_rota["alice"]), kind="person")

    response = verified_api_client(feed_rota["bob"]).post(f"/v1/oncall/feeds/{feed['id']}/revoke")

    assert response.status_code == 404
    assert CalendarFeed.objects.get(pk=feed["id"]).revoked_at is None
