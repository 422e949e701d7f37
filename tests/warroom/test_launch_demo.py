"""The launch demo step: a plan around a T0 three days ahead, from the runbook template,
owned by the demo people, nothing overdue, and war-room log entries with a correction."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.core.demo import DemoContext, demo_people_ensure
from apps.oncall.demo import warroom_demo
from apps.warroom.demo.launch import DEMO_LAUNCH_NAME, launch_demo
from apps.warroom.models import LaunchLogEntry, LaunchPlan
from apps.warroom.selectors.launch import overdue_tasks


def test_launch_demo__fresh_database__plan_three_days_ahead_nothing_overdue(db):
    said: list[str] = []
    ctx = DemoContext(say=said.append)
    for person in demo_people_ensure():
        ctx.users[person.user.username] = person.user
    warroom_demo(ctx)  # the teams and the extra on-call people come first

    launch_demo(ctx)
    launch_demo(ctx)  # a second run keeps what the first made

    plan = LaunchPlan.objects.get(name=DEMO_LAUNCH_NAME)
    until_t0 = plan.t0 - timezone.now()
    assert timedelta(days=3) < until_t0 <= timedelta(days=3, hours=1)
    assert plan.created_by.username == "commander"
    tasks = list(plan.tasks.select_related("owner"))
    assert {t.owner.username for t in tasks} == {"ops", "finance", "support", "bima"}
    assert {t.status for t in tasks} == {"done", "in_progress", "todo"}
    assert all(t.status_changed_by and t.status_changed_at for t in tasks if t.status != "todo")
    assert not overdue_tasks(plan).exists()
    assert plan.rollback_criteria.count() == 5
    typed = plan.log_entries.filter(automatic=False)
    assert set(typed.values_list("kind", flat=True)) == {"decision", "go_no_go", "event", "note"}
    correction = typed.get(corrects__isnull=False)
    assert "14 min" in correction.text and "41 min" in correction.corrects.text
    assert LaunchLogEntry.objects.filter(plan=plan, automatic=True, task__isnull=False).exists()
    assert LaunchPlan.objects.count() == 1
    assert "Launch plan" in said[-1]
