"""iCal feeds: parse with a standard parser, match the final schedule, cancel what
disappears, and live only at an unguessable, revocable secret URL."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from apps.audit.models import AuditEvent
from apps.oncall import selectors, services
from apps.oncall.models import CalendarFeed, FeedEmittedShift

pytestmark = pytest.mark.django_db


@pytest.fixture
def rota(people, make_team, make_schedule, make_layer):
    alice, bob, carol = people("alice", "bob", "carol")
    team = make_team(alice, bob, carol)
    schedule = make_schedule(team, tz="Europe/Warsaw")
    today = timezone.now().date()
    make_layer(
        schedule,
        [alice, bob],
        handoff=time(9, 0),
        start_date=today - timedelta(days=3),
        name="Daily",
    )
    return {"schedule": schedule, "alice": alice, "bob": bob, "carol": carol, "team": team}


def _create_feed(client, **body) -> dict:
    response = client.post("/v1/oncall/feeds/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _fetch(url: str):
    path = url.split("testserver", 1)[1]
    return Client().get(path)


def _events(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return list(calendar.walk("VEVENT"))


def test_schedule_feed__parsed__matches_final_schedule_next_30_days(rota, verified_api_client):
    feed = _create_feed(
        verified_api_client(rota["alice"]), kind="schedule", schedule=rota["schedule"].pk
    )
    now = timezone.now()
    window_end = now + timedelta(days=30)

    events = _events(_fetch(feed["url"]))

    expected = [
        (max(s.start, now), s.end if s.end < window_end else window_end, s.user_id)
        for s in selectors.final_schedule(rota["schedule"], now, window_end)
    ]
    names = {rota["alice"].pk: "alice", rota["bob"].pk: "bob"}
    seen = []
    for event in events:
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        if end <= now or start >= window_end:
            continue
        assert str(event["status"]) == "CONFIRMED"
        seen.append((max(start, now), min(end, window_end), str(event["summary"])))
    assert [(s, e) for s, e, _ in seen] == [(s, e) for s, e, _ in expected]
    for (_s, _e, summary), (_s2, _e2, user_id) in zip(seen, expected, strict=True):
        assert names[user_id] in summary
    assert len({str(e["uid"]) for e in events}) == len(events)  # UIDs are unique …
    again = _events(_fetch(feed["url"]))
    assert [str(e["uid"]) for e in again] == [str(e["uid"]) for e in events]  # … and stable


def test_schedule_feed__override_takes_a_shift__old_shift_sent_cancelled(
    rota, ops, verified_api_client
):
    feed = _create_feed(
        verified_api_client(rota["alice"]), kind="schedule", schedule=rota["schedule"].pk
    )
    first = {str(e["uid"]): e for e in _events(_fetch(feed["url"]))}
    future = sorted(
        (e for e in first.values() if e.decoded("dtstart") > timezone.now() + timedelta(days=2)),
        key=lambda e: e.decoded("dtstart"),
    )[0]
    services.override_create(
        actor=ops,
        schedule=rota["schedule"],
        user=rota["carol"],
        start=future.decoded("dtstart"),
        end=future.decoded("dtend"),
    )

    second = {str(e["uid"]): e for e in _events(_fetch(feed["url"]))}

    cancelled = second[str(future["uid"])]
    assert str(cancelled["status"]) == "CANCELLED"
    assert int(cancelled["sequence"]) > int(future["sequence"])
    replacement = [e for e in second.values() if "carol" in str(e["summary"])]
    assert len(replacement) == 1 and str(replacement[0]["status"]) == "CONFIRMED"
    assert replacement[0].decoded("dtstart") == future.decoded("dtstart")
    row = FeedEmittedShift.objects.get(uid=str(future["uid"]))
    assert row.cancelled_at is not None


def test_person_feed__lists_only_my_shifts(rota, verified_api_client):
    feed = _create_feed(verified_api_client(rota["bob"]), kind="person")

    events = _events(_fetch(feed["url"]))

    assert events
    assert all("bob" in str(e["summary"]) for e in events)


def test_feed_url__unguessable_secret_stored_hashed(rota, verified_api_client):
    api = verified_api_client(rota["alice"])
    one = _create_feed(api, kind="schedule", schedule=rota["schedule"].pk)
    two = _create_feed(api, kind="person")

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


def test_feed_url__revoked_or_other_addresses__404(rota, verified_api_client):
    api = verified_api_client(rota["alice"])
    feed = _create_feed(api, kind="schedule", schedule=rota["schedule"].pk)
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


def test_feed_rotate__old_url_dies_new_url_works(rota, verified_api_client):
    api = verified_api_client(rota["bob"])
    feed = _create_feed(api, kind="person")

    rotated = api.post(f"/v1/oncall/feeds/{feed['id']}/rotate", format="json").json()

    assert _fetch(feed["url"]).status_code == 404
    assert _fetch(rotated["url"]).status_code == 200


def test_feed_revoke__someone_elses_feed__not_found(rota, verified_api_client):
    feed = _create_feed(verified_api_client(rota["alice"]), kind="person")

    response = verified_api_client(rota["bob"]).post(f"/v1/oncall/feeds/{feed['id']}/revoke")

    assert response.status_code == 404
    assert CalendarFeed.objects.get(pk=feed["id"]).revoked_at is None


def test_feeds_page__create_personal_feed__url_shown_once(rota, verified_client):
    client = verified_client(rota["alice"])

    created = client.post("/warroom/feeds/", {"days": 30})
    listing = client.get("/warroom/feeds/")

    assert created.status_code == 201
    url = re.search(r'id="feed-url">([^<]+)<', created.content.decode()).group(1)
    assert "/warroom/ical/" in url
    assert url not in listing.content.decode()
    assert Client().get(url.split("testserver", 1)[1]).status_code == 200
