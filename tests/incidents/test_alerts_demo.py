"""The alert intake's demo step: routes, a window, groups with their decision logs."""

from __future__ import annotations

import pytest

from apps.accounts.roles import SUPER_ADMIN
from apps.core.demo import DemoContext
from apps.incidents.demo_alerts import alerts_demo
from apps.incidents.models import AlertGroup, AlertRoute, MaintenanceWindow
from apps.oncall import services as oncall
from apps.oncall.models import Team
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_alerts_demo__groups_routed_silenced_flagged__twice_harmless(
    django_capture_on_commit_callbacks,
):
    admin = UserFactory(roles=[SUPER_ADMIN])
    for slug in ("backend", "ops"):
        if not Team.objects.filter(slug=slug).exists():
            oncall.team_create(actor=admin, name=f"Demo {slug}", slug=slug)
    ctx = DemoContext(say=lambda text: None, users={"admin": admin})

    with django_capture_on_commit_callbacks(execute=False):
        alerts_demo(ctx)
        alerts_demo(ctx)

    assert AlertRoute.objects.count() == 2 and MaintenanceWindow.objects.count() == 1
    assert AlertGroup.objects.count() == 5
    assert AlertGroup.objects.get(alertname="ExplorerDown").silenced
    assert AlertGroup.objects.get(alertname="DiskAlmostFull").team is None
