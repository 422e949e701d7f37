"""The mitigation demo step: the open S2 "Withdrawals delayed on Tron" holds a switch."""

from __future__ import annotations

import pytest

from apps.core.demo import DemoContext, demo_people_ensure
from apps.flags.models import FlagState
from apps.incidents.demo_mitigation import DEMO_INCIDENT_TITLE, mitigation_demo
from apps.incidents.models import EntryKind
from apps.incidents.selectors.mitigation import switches_held
from tests.incidents.factories import declare

pytestmark = pytest.mark.django_db


def _ctx(said):
    ctx = DemoContext(say=said.append)
    for person in demo_people_ensure():
        ctx.users[person.user.username] = person.user
    return ctx


def test_demo__the_open_s2_holds_a_blocked_payout_switch(django_capture_on_commit_callbacks):
    said: list[str] = []
    ctx = _ctx(said)
    incident = declare(actor=ctx.users["commander"], severity="S2", title=DEMO_INCIDENT_TITLE)
    with django_capture_on_commit_callbacks(execute=True):
        mitigation_demo(ctx)
    mitigation_demo(ctx)  # a second run keeps what the first made
    (held,) = switches_held(incident)
    assert (held.flag.key, held.scope_label, held.actor) == (
        "payout",
        "network=tron",
        ctx.users["commander"],
    )
    assert incident.timeline.filter(kind=EntryKind.FLAG).count() == 1
    assert "already holds" in said[-1]


def test_demo__skipped_without_the_incident():
    said: list[str] = []
    mitigation_demo(_ctx(said))
    assert not FlagState.objects.exists()
    assert "no open" in said[-1]


def test_demo__after_the_core_step(django_capture_on_commit_callbacks):
    from apps.incidents.demo_core import OPEN_S2_TITLE, incidents_core_demo
    from apps.incidents.models import Incident

    said: list[str] = []
    ctx = _ctx(said)
    incidents_core_demo(ctx)
    with django_capture_on_commit_callbacks(execute=True):
        mitigation_demo(ctx)
    incident = Incident.objects.get(title=OPEN_S2_TITLE)
    assert incident.severity.code == "S2" and incident.is_open
    (held,) = switches_held(incident)
    assert (held.flag.key, held.scope_label) == ("payout", "network=tron")
    assert incident.timeline.filter(kind=EntryKind.FLAG, data__state_id=held.pk).exists()
