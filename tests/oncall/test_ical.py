"""iCal feeds: parse with a standard parser, match the final schedule, cancel what
disappears, and live only at an unguessable, revocable secret URL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from apps.oncall import selectors, services
from apps.oncall.models import FeedEmittedShift
from tests.oncall import oncall_fixtures
from tests.oncall.oncall_fixtures import create_feed, fetch_feed

pytestmark = pytest.mark.django_db

rota = oncall_fixtures.feed_rota


def _events(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return list(calendar.walk("VEVENT"))


def test_schedule_feed__parsed__matches_final_schedule_next_30_days(rota, verified_api_client):
    feed = create_feed(
        verified_api_client(rota["alice"]), kind="schedule", schedule=rota["schedule"].pk
    )
    now = timezone.now()
    window_end = now + timedelta(days=30)

    events = _events(fetch_feed(feed["url"]))

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
    again = _events(fetch_feed(feed["url"]))
    assert [str(e["uid"]) for e in again] == [str(e["uid"]) for e in events]  # … and stable


def test_schedule_feed__override_takes_a_shift__old_shift_sent_cancelled(
    rota, ops, verified_api_client
):
    feed = create_feed(
        verified_api_client(rota["alice"]), kind="schedule", schedule=rota["schedule"].pk
    )
    first = {str(e["uid"]): e for e in _events(fetch_feed(feed["url"]))}
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

    second = {str(e["uid"]): e for e in _events(fetch_feed(feed["url"]))}

    cancelled = second[str(future["uid"])]
    assert str(cancelled["status"]) == "CANCELLED"
    assert int(cancelled["sequence"]) > int(future["sequence"])
    replacement = [e for e in second.values() if "carol" in str(e["summary"])]
    assert len(replacement) == 1 and str(replacement[0]["status"]) == "CONFIRMED"
    assert replacement[0].decoded("dtstart") == future.decoded("dtstart")
    row = FeedEmittedShift.objects.get(uid=str(future["uid"]))
    assert row.cancelled_at is not None


def test_person_feed__lists_only_my_shifts(rota, verified_api_client):
    feed = create_feed(verified_api_client(rota["bob"]), kind="person")

    events = _events(fetch_feed(feed["url"]))

    assert events
    assert all("bob" in str(e["summary"]) for e in events)


def test_feeds_page__create_personal_feed__url_shown_once(rota, verified_client):
    client = verified_client(rota["alice"])

    created = client.post("/warroom/feeds/", {"days": 30})
    listing = client.get("/warroom/feeds/")

    assert created.status_code == 201
    url = re.search(r'id="feed-url">([^<]+)<', created.content.decode()).group(1)
    assert "/warroom/ical/" in url
    assert url not in listing.content.decode()
    assert Client().get(url.split("testserver", 1)[1]).status_code == 200
