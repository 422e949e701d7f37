"""The status updates demo step."""

from __future__ import annotations

import pytest

from apps.incidents.demo_comms import DEMO_INCIDENT_TITLE, comms_demo
from apps.incidents.models import StatusUpdate
from tests.incidents.comms_helpers import declared

pytestmark = pytest.mark.django_db


class Ctx:
    def __init__(self):
        self.said: list[str] = []
        self.users = {}

    def say(self, text):
        self.said.append(text)


@pytest.mark.parametrize("impact", ["Withdrawals on Tron wait up to 40 minutes.", ""])
def test_demo__open_s2_gets_one_internal_and_one_public_update_once(impact):
    incident = declared(title=DEMO_INCIDENT_TITLE, customer_impact=impact)
    comms_demo(Ctx())
    comms_demo(Ctx())
    audiences = sorted(
        StatusUpdate.objects.filter(incident=incident).values_list("audience", flat=True)
    )
    assert audiences == ["internal", "public"]


def test_demo__without_the_incident__skips():
    ctx = Ctx()
    comms_demo(ctx)
    assert "skipped" in ctx.said[0] and not StatusUpdate.objects.exists()
