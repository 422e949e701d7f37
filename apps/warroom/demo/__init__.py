"""War-room demo data: a checklist run in progress, the launch plan, and its go/no-go run.

Found by the demo command (``autodiscover_modules("demo")``); the on-call teams and rotas
come first from ``apps.oncall.demo``.
"""

from __future__ import annotations

from apps.core.demo import register_demo_step
from apps.warroom import services


def checklists_demo(ctx) -> None:
    """A "daily ops — morning" run in progress: some items passed, one failed, one skipped."""
    from apps.warroom.models import ChecklistRun, ChecklistTemplate

    users = ctx.users
    template = ChecklistTemplate.objects.filter(slug="daily-ops-morning").first()
    if template is None:
        return
    if ChecklistRun.objects.filter(template=template, launch_label__startswith="Demo:").exists():
        return
    run = services.checklist_run_start(
        actor=users["ops"],
        template=template,
        environment=ChecklistRun.Environment.PRODUCTION,
        launch_label="Demo: today's morning round",
    )
    items = {item.position: item for item in run.items.all()}
    marks = [
        (
            users["ops"],
            1,
            "passed",
            "Oldest pending: 6 min; none over 15 min.",
            "Tx manager: 3 pending",
        ),
        (users["ops"], 2, "passed", "", "Indexer lag 4 blocks (EVM), 12 slots (Solana)"),
        (
            users["finance"],
            3,
            "failed",
            "Referral payouts vs ledger claimed differ by 12.50 USDC; ticket FIN-231 opened.",
            "Reconcile run at 06:00: 1 mismatch",
        ),
        (users["ops"], 8, "skipped", "No spam reports since yesterday; nothing to review.", ""),
    ]
    for actor, position, result, note, evidence in marks:
        if position in items:
            services.checklist_item_mark(
                actor=actor,
                item=items[position],
                result=result,
                note=note,
                evidence_text=evidence,
            )
    ctx.say("Checklists: a daily ops morning run in progress (passed, failed, skipped, open items)")


register_demo_step("warroom-checklists", checklists_demo, order=310)


def _launch_demo(ctx) -> None:
    from apps.warroom.demo.launch import launch_demo

    launch_demo(ctx)


register_demo_step("warroom-launch", _launch_demo, order=320)


def _checklist_launch_demo(ctx) -> None:
    from apps.warroom.demo.launch_checklists import checklist_launch_demo

    checklist_launch_demo(ctx)


# After the launch step: the demo launch's go/no-go checklist run.
register_demo_step("warroom-checklist-launch", _checklist_launch_demo, order=330)
