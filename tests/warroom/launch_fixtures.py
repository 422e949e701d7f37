"""Fixtures of the launch-plan tests (imported by tests/warroom/test_launch_*.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.warroom import services
from apps.warroom.models import LaunchPlan

T0 = datetime(2027, 3, 28, 9, 0, tzinfo=UTC)  # a Sunday: Warsaw moves to summer time at 01:00


@pytest.fixture
def commander(make_user):
    return make_user("incident_commander", username="launch-ic")


@pytest.fixture
def make_plan(commander):
    def _make(*, t0=T0, template=False, name="Club go-live", actor=None) -> LaunchPlan:
        return services.launch_plan_create(
            actor=actor or commander, name=name, t0=t0, from_template=template
        )

    return _make


@pytest.fixture
def make_task(commander):
    def _make(plan, *, offset=timedelta(hours=-2), unit="h", phase="canary", **fields):
        return services.launch_task_create(
            actor=commander,
            plan=plan,
            phase=plan.phases.get(kind=phase),
            title=fields.pop("title", "Open the war room"),
            offset=offset,
            offset_unit=unit,
            **fields,
        )

    return _make
