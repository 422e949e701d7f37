"""The incidents core demo step: an open S2 with roles and notes, a resolved S1."""

from __future__ import annotations

from apps.core.demo import DemoContext, demo_people_ensure
from apps.incidents.demo_core import OPEN_S2_TITLE, RESOLVED_S1_TITLE, incidents_core_demo
from apps.incidents.models import Incident, Status


def test_demo_step__twice__two_incidents_as_described(db):
    said: list[str] = []
    ctx = DemoContext(say=said.append)
    for person in demo_people_ensure():
        ctx.users[person.user.username] = person.user

    incidents_core_demo(ctx)
    incidents_core_demo(ctx)  # a second run keeps what the first made

    assert Incident.objects.count() == 2
    s2 = Incident.objects.get(title=OPEN_S2_TITLE)
    assert (s2.severity.code, s2.status, s2.owner.username) == (
        "S2",
        Status.IDENTIFIED,
        "commander",
    )
    assert s2.role_assignments.filter(ended_at__isnull=True).count() == 4
    assert s2.timeline.filter(kind__in=["note", "decision"]).count() == 4
    s1 = Incident.objects.get(title=RESOLVED_S1_TITLE)
    assert (s1.severity.code, s1.status) == ("S1", Status.RESOLVED)
    assert "open S2" in said[-1]


def test_demo_step__after_on_call__the_open_s2_has_a_running_page(db):
    from apps.oncall.demo import warroom_demo
    from apps.oncall.models import Page

    ctx = DemoContext(say=lambda text: None)
    for person in demo_people_ensure():
        ctx.users[person.user.username] = person.user
    warroom_demo(ctx)

    incidents_core_demo(ctx)
    incidents_core_demo(ctx)

    s2 = Incident.objects.get(title=OPEN_S2_TITLE)
    (page,) = Page.objects.filter(subject_id=str(s2.pk), subject_type__model="incident")
    assert page.status == Page.Status.TRIGGERED and page.team.slug == "ops"
    assert s2.timeline.filter(kind="page").count() == 1
