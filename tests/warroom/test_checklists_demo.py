"""The checklists demo step: a "daily ops — morning" run in progress with passed, failed,
skipped and open items, marked by the demo people; running it again adds nothing."""

from __future__ import annotations

from apps.core.demo import DemoContext, demo_people_ensure
from apps.warroom.demo import checklists_demo
from apps.warroom.models import ChecklistRun


def test_checklists_demo__morning_run_in_progress_with_mixed_items(db):
    said: list[str] = []
    ctx = DemoContext(say=said.append)
    for person in demo_people_ensure():
        ctx.users[person.user.username] = person.user

    checklists_demo(ctx)
    checklists_demo(ctx)  # a second run keeps what the first made

    run = ChecklistRun.objects.get(template__slug="daily-ops-morning")
    assert run.status == "in_progress" and run.started_by.username == "ops"
    results = {item.position: item.result for item in run.items.all()}
    assert set(results.values()) == {"passed", "failed", "skipped", "open"}
    failed = run.items.get(result="failed")
    assert failed.marked_by.username == "finance" and "FIN-231" in failed.note
    assert any("Checklists" in line for line in said)
