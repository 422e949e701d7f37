"""Demo data for the launch plan: a launch from the runbooks' template with T0 three days
ahead, owners from the demo people and teams, the tasks already due done (nothing
overdue), one in progress, and a few war-room log entries including a correction.

Safe to run again: an existing demo launch is kept as it is.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.warroom import services
from apps.warroom.models import LaunchLogEntry, LaunchPlan, LaunchTask

DEMO_LAUNCH_NAME = "Demo: club pilot → go-live"


def _demo_t0():
    """Three days ahead, on the next full hour (so T-3 d is still ahead, not overdue)."""
    soon = timezone.now() + timedelta(days=3)
    return soon.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def launch_demo(ctx) -> None:
    users = ctx.users
    if LaunchPlan.objects.filter(name=DEMO_LAUNCH_NAME).exists():
        return
    commander, ops = users["commander"], users["ops"]
    plan = services.launch_plan_create(
        actor=commander,
        name=DEMO_LAUNCH_NAME,
        t0=_demo_t0(),
        from_template=True,
    )
    backend_person = get_user_model().objects.filter(username="bima").first()
    owners = {
        "ops": ops,
        "finance": users["finance"],
        "support": users["support"],
        "backend": backend_person,
    }
    now = timezone.now()
    tasks = list(plan.tasks.select_related("owner_team", "plan").order_by("offset", "id"))
    for task in tasks:
        owner = owners.get(task.owner_team.slug if task.owner_team else "")
        if owner is not None:
            services.launch_task_update(actor=commander, task=task, owner=owner)
    for task in LaunchTask.objects.filter(plan=plan).select_related("plan", "owner"):
        if task.due_at > now:
            continue
        # Who ticks it: the owner when they hold a portal role, else the launch IC.
        actor = task.owner if task.owner and task.owner.groups.exists() else commander
        services.launch_task_set_status(
            actor=actor, task=task, status=LaunchTask.Status.DONE, note="Demo: done on time."
        )
    upcoming = (
        LaunchTask.objects.filter(plan=plan, status=LaunchTask.Status.TODO)
        .select_related("plan")
        .order_by("offset", "id")
        .first()
    )
    if upcoming is not None:
        services.launch_task_set_status(
            actor=ops,
            task=upcoming,
            status=LaunchTask.Status.IN_PROGRESS,
            note="Demo: started early.",
        )
    Kind = LaunchLogEntry.Kind
    services.launch_log_append(
        actor=commander,
        plan=plan,
        kind=Kind.DECISION,
        text="Pilot volume stays capped at 10% of the daily target until the T-7 d go/no-go.",
    )
    services.launch_log_append(
        actor=commander,
        plan=plan,
        kind=Kind.GO_NO_GO,
        text="Preliminary go/no-go (T-7 d): GO. Dashboards and alerts green.",
    )
    wrong = services.launch_log_append(
        actor=ops,
        plan=plan,
        kind=Kind.EVENT,
        text="DR drill: database restored to T-60 min in 41 min.",
    )
    services.launch_log_append(
        actor=ops,
        plan=plan,
        kind=Kind.EVENT,
        text="Correction: the restore took 14 min, not 41 min.",
        corrects=wrong,
    )
    services.launch_log_append(
        actor=ops,
        plan=plan,
        kind=Kind.NOTE,
        text="War-room channel #launch-warroom is open from T-1 d to T+2 d.",
    )
    ctx.say(
        f"Launch plan: '{plan.name}' with T0 in 3 days, {len(tasks)} tasks from the runbook "
        "(the ones already due are done), rollback criteria and war-room log entries"
    )
