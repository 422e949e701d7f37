"""Fixtures for war-room tests: teams, schedules and layers made through the services."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from apps.oncall import services
from apps.oncall.models import Schedule
from tests.celery_worker import celery_worker  # noqa: F401  (the real-worker fixture)
from tests.notify.conftest import WEBHOOK_SECRET, make_receiver  # noqa: F401


@pytest.fixture
def ops(make_user):
    return make_user("ops", username="warroom-ops")


@pytest.fixture
def people(make_user):
    """``people("alice", "bob")`` -> users with no role beyond what is asked."""

    def _make(*names: str, role: str = "support"):
        return [make_user(role, username=name) for name in names]

    return _make


@pytest.fixture
def make_team(ops):
    counter = iter(range(1, 1000))

    def _make(*members, lead=None, slug=None):
        number = next(counter)
        team = services.team_create(
            actor=ops, name=f"Team {slug or number}", slug=slug or f"team-{number}"
        )
        for member in members:
            services.team_member_add(actor=ops, team=team, user=member)
        if lead is not None:
            services.team_set_lead(actor=ops, team=team, lead=lead)
        return team

    return _make


@pytest.fixture
def make_schedule(ops):
    def _make(team, *, kind=Schedule.Kind.PRIMARY, tz="Europe/Warsaw"):
        return services.schedule_create(actor=ops, team=team, kind=kind, timezone_name=tz)

    return _make


@pytest.fixture
def make_layer(ops):
    def _make(
        schedule,
        participants,
        *,
        shift_kind="daily",
        shift_length=1,
        handoff=time(9, 0),
        start_date=date(2027, 3, 1),
        priority=1,
        days=None,
        end_date=None,
        name="Layer",
    ):
        return services.layer_create(
            actor=ops,
            schedule=schedule,
            name=name,
            shift_kind=shift_kind,
            shift_length=shift_length,
            handoff_time=handoff,
            start_date=start_date,
            participants=list(participants),
            priority=priority,
            days_of_week=days,
            end_date=end_date,
        )

    return _make


def local(tz: str, *args) -> datetime:
    """An aware datetime for a wall-clock time in ``tz`` (first occurrence if ambiguous)."""
    return datetime(*args, tzinfo=ZoneInfo(tz))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
