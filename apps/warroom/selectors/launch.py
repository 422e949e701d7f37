"""Reads of the launch plan and the war-room log, restricted to what the user may see.

Every verified person sees launch plans and the log (``warroom.view_launchplan`` and
``warroom.view_launchlogentry`` are held by every role); functions without a user are for
trusted code. Due times are computed in the database as T0 + offset, so a query for
"overdue" or "next" stays one query however many tasks a launch has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from apps.accounts.policy import restrict
from apps.warroom.launch_time import countdown_parts
from apps.warroom.models import (
    ChecklistRun,
    LaunchLogEntry,
    LaunchPhase,
    LaunchPlan,
    LaunchTask,
    RollbackCriterion,
)

OPEN = list(LaunchTask.OPEN_STATUSES)
NEXT_TASKS = 8
OVERDUE_TASKS = 20
LATEST_LOG = 10


def _due():
    return ExpressionWrapper(F("plan__t0") + F("offset"), output_field=DateTimeField())


def annotate_counts(queryset: QuerySet[LaunchPlan]) -> QuerySet[LaunchPlan]:
    """Add task_count, done_count (done or skipped) and overdue_count to each plan."""
    elapsed = ExpressionWrapper(Value(timezone.now()) - F("t0"), output_field=DurationField())
    return queryset.annotate(
        task_count=Count("tasks", distinct=True),
        done_count=Count("tasks", filter=Q(tasks__status__in=["done", "skipped"]), distinct=True),
        overdue_count=Count(
            "tasks",
            filter=Q(tasks__status__in=OPEN, tasks__offset__lt=elapsed),
            distinct=True,
        ),
    ).order_by("-t0", "-id")  # Meta.ordering does not apply to GROUP BY queries


def launch_plans() -> QuerySet[LaunchPlan]:
    """Every launch plan: for trusted code and for writes whose rule checked the caller
    (the row handed to a service)."""
    return LaunchPlan.objects.select_related("created_by")


def launch_plans_for(*, user) -> QuerySet[LaunchPlan]:
    """The launch plans ``user`` (a person or an API token) may see, without counts."""
    return restrict(launch_plans(), user, "warroom.view_launchplan", scope="oncall:read")


def launch_plan_list(*, user, status: str | None = None) -> QuerySet[LaunchPlan]:
    queryset = restrict(
        annotate_counts(launch_plans()), user, "warroom.view_launchplan", scope="oncall:read"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def launch_plans_in_full() -> QuerySet[LaunchPlan]:
    """Plans with phases, rollback criteria, tasks and checklist runs (the API's detail
    answer) in a fixed number of queries; unrestricted, like ``launch_plans``."""
    return launch_plans().prefetch_related(
        "phases",
        "rollback_criteria",
        "tasks",
        Prefetch(
            "checklist_runs",
            queryset=ChecklistRun.objects.select_related("template", "started_by").order_by(
                "-started_at", "-id"
            ),
        ),
    )


def launch_plan_detail(*, user) -> QuerySet[LaunchPlan]:
    """``launch_plans_in_full`` narrowed to what ``user`` (a person or a token) may see."""
    return restrict(launch_plans_in_full(), user, "warroom.view_launchplan", scope="oncall:read")


def launch_tasks() -> QuerySet[LaunchTask]:
    """Every launch task with its plan: for writes whose rule is checked on the task's plan
    (``check_object``) or by the service (a task's owners)."""
    return LaunchTask.objects.select_related("plan")


def tasks_for(plan: LaunchPlan) -> QuerySet[LaunchTask]:
    return (
        LaunchTask.objects.filter(plan=plan)
        .select_related("owner", "owner_team", "phase", "status_changed_by", "plan")
        .annotate(due=_due())
        .order_by("offset", "phase__position", "id")
    )


def overdue_tasks(plan: LaunchPlan, now: datetime | None = None) -> QuerySet[LaunchTask]:
    return tasks_for(plan).filter(status__in=OPEN, due__lt=now or timezone.now())


def next_tasks(plan: LaunchPlan, now: datetime | None = None) -> QuerySet[LaunchTask]:
    return tasks_for(plan).filter(status__in=OPEN, due__gte=now or timezone.now())


def log_list(
    *,
    user,
    plan: LaunchPlan | None = None,
    kind: str | None = None,
    plan_id: int | None = None,
) -> QuerySet[LaunchLogEntry]:
    queryset = restrict(
        LaunchLogEntry.objects.select_related(
            "author", "plan", "task", "corrects", "corrects__author"
        ),
        user,
        "warroom.view_launchlogentry",
        scope="oncall:read",
    )
    if plan is not None:
        queryset = queryset.filter(plan=plan)
    if plan_id is not None:
        queryset = queryset.filter(plan_id=plan_id)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def current_phase(phases: list[LaunchPhase], t0: datetime, now: datetime) -> LaunchPhase | None:
    """The last phase whose window has started (by its start offset), if any.

    Before the first phase starts there is none; after the last one ends it stays the
    current one until the launch is closed.
    """
    elapsed = now - t0
    current = None
    for phase in phases:
        if phase.start_offset is None or phase.start_offset <= elapsed:
            current = phase
    return current


@dataclass
class Countdown:
    plan: LaunchPlan
    now: datetime
    parts: dict
    phases: list[LaunchPhase]
    phase: LaunchPhase | None
    next_tasks: list[LaunchTask]
    overdue_tasks: list[LaunchTask]
    overdue_count: int
    counts: dict
    criteria: list[RollbackCriterion]
    log: list[LaunchLogEntry] = field(default_factory=list)


def countdown(*, user, plan: LaunchPlan, now: datetime | None = None) -> Countdown:
    """Everything the countdown page shows, in a fixed number of queries."""
    now = now or timezone.now()
    phases = list(plan.phases.all())
    # Every status has its count (0 when no task has it): the page shows each one.
    counts = dict.fromkeys(LaunchTask.Status.values, 0)
    counts |= {
        row["status"]: row["n"]
        for row in LaunchTask.objects.filter(plan=plan)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    }
    overdue = overdue_tasks(plan, now)
    overdue_list = list(overdue[:OVERDUE_TASKS])
    overdue_count = overdue.count()  # always one query, however many are late
    return Countdown(
        plan=plan,
        now=now,
        parts=countdown_parts(plan.t0, now),
        phases=phases,
        phase=current_phase(phases, plan.t0, now),
        next_tasks=list(next_tasks(plan, now)[:NEXT_TASKS]),
        overdue_tasks=overdue_list,
        overdue_count=overdue_count,
        counts=counts,
        criteria=list(plan.rollback_criteria.all()),
        log=list(log_list(user=user, plan=plan)[:LATEST_LOG]),
    )
