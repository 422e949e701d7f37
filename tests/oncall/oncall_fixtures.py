"""Fixtures and helpers shared by the on-call page tests (tests/oncall/test_*.py) and the
API tests (tests/oncall/api/): import a fixture into a module by assigning it, e.g.
``rota = oncall_fixtures.board_rota``."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.oncall.conftest import utc

LAYER = {
    "name": "Daily",
    "shift_kind": "daily",
    "shift_length": 1,
    "handoff_time": "09:00",
    "start_date": "2027-03-01",
}


@pytest.fixture
def setup(people, make_team, make_schedule, ops, verified_api_client):
    alice, bob, outsider = people("alice", "bob", "outsider")
    team = make_team(alice, bob)
    schedule = make_schedule(team, tz="Europe/Warsaw")
    return {
        "api": verified_api_client(ops),
        "schedule": schedule,
        "team": team,
        "alice": alice,
        "bob": bob,
        "outsider": outsider,
    }


@pytest.fixture
def two_teams(people, make_team, make_schedule):
    lead, member, other_lead = people("lead", "member", "other-lead", role="finance")
    mine = make_team(lead, member, lead=lead)
    theirs = make_team(other_lead, lead=other_lead)
    return {
        "lead": lead,
        "member": member,
        "other_lead": other_lead,
        "mine": make_schedule(mine),
        "theirs": make_schedule(theirs),
        "team": mine,
    }


WEDNESDAY_NOON = utc(2027, 6, 2, 12)  # board_rota starts on Monday 31 May, 09:00 UTC


@pytest.fixture
def board_rota(people, make_team, make_schedule, make_layer):
    """Primary: alice alone, daily; backup: bob alone, weekly (both 09:00 UTC)."""
    alice, bob = people("alice", "bob")
    team = make_team(alice, bob, lead=alice, slug="payments")
    primary = make_schedule(team, kind="primary", tz="UTC")
    backup = make_schedule(team, kind="backup", tz="UTC")
    with time_machine.travel(utc(2027, 5, 30), tick=False):
        make_layer(primary, [alice], start_date=date(2027, 5, 31))
        make_layer(backup, [bob], shift_kind="weekly", start_date=date(2027, 5, 31))
    return {"team": team, "alice": alice, "bob": bob, "primary": primary, "backup": backup}


@pytest.fixture
def feed_rota(people, make_team, make_schedule, make_layer):
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


def create_feed(client, **body) -> dict:
    response = client.post("/v1/oncall/feeds/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def fetch_feed(url: str):
    path = url.split("testserver", 1)[1]
    return Client().get(path)
