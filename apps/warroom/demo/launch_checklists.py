"""Demo data linking checklists to the demo launch: a go/no-go run for the demo launch,
in progress, with the first measurements passed and evidence attached.

It runs after the launch step (order 320), so the demo launch exists. Safe to run again:
a demo launch that already has a go/no-go run is kept as it is.
"""

from __future__ import annotations

from apps.warroom import services
from apps.warroom.demo.launch import DEMO_LAUNCH_NAME
from apps.warroom.models import ChecklistRun, ChecklistTemplate, LaunchPlan
from apps.warroom.services.launch_checklists import GO_NO_GO_SLUG

MARKS = (
    (1, "Error rate 0.2% over the last 15 min on prod-canary.", "grafana: api-errors, 15 min"),
    (2, "P99 310 ms.", "grafana: api-latency p99 = 310 ms"),
    (3, "Alertmanager: no P0 firing.", ""),
    (4, "All breakers CLOSED.", ""),
)


def checklist_launch_demo(ctx) -> None:
    plan = LaunchPlan.objects.filter(name=DEMO_LAUNCH_NAME).first()
    template = ChecklistTemplate.objects.filter(slug=GO_NO_GO_SLUG, active=True).first()
    if plan is None or template is None:
        return
    if ChecklistRun.objects.filter(launch=plan, template=template).exists():
        return
    commander = ctx.users["commander"]
    run = services.checklist_run_start(
        actor=commander,
        template=template,
        environment=ChecklistRun.Environment.PRODUCTION,
        launch=plan,
        launch_label="Demo: go/no-go rehearsal (T-3 d)",
    )
    items = {item.position: item for item in run.items.all()}
    for position, note, evidence in MARKS:
        if position in items:
            services.checklist_item_mark(
                actor=commander,
                item=items[position],
                result="passed",
                note=note,
                evidence_text=evidence,
            )
    ctx.say(f"Checklists: a go/no-go run in progress for the launch '{plan.name}'")
