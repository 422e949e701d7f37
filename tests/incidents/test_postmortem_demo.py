"""The post-mortem demo step: the core demo's resolved S1 gets a published post-mortem with
three action items, one overdue; skipped without a resolved S1; a second run changes nothing."""

from __future__ import annotations

from apps.core.demo import DemoContext, demo_people_ensure
from apps.incidents.demo_core import RESOLVED_S1_TITLE, incidents_core_demo
from apps.incidents.demo_postmortem import postmortem_demo
from apps.incidents.models import ActionItem, PostMortem, PostMortemState


def _ctx(said):
    ctx = DemoContext(say=said.append)
    for person in demo_people_ensure():
        ctx.users[person.user.username] = person.user
    return ctx


def test_demo__no_resolved_s1__skipped(db):
    said: list[str] = []
    postmortem_demo(_ctx(said))
    assert not PostMortem.objects.exists()
    assert "skipped" in said[-1]


def test_demo__resolved_s1__published_with_three_items_one_overdue(db):
    said: list[str] = []
    ctx = _ctx(said)
    incidents_core_demo(ctx)

    postmortem_demo(ctx)
    postmortem_demo(ctx)

    postmortem = PostMortem.objects.get(incident__title=RESOLVED_S1_TITLE)
    assert postmortem.state == PostMortemState.PUBLISHED
    items = list(ActionItem.objects.filter(postmortem=postmortem))
    assert len(items) == 3
    assert sum(item.is_overdue() for item in items) == 1
    assert "already published" in said[-1]
