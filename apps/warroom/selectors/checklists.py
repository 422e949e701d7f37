"""Reads of checklists: templates, runs with their item counts, a run with its items.

The ``*_list``/``*_detail`` functions answer only what ``user`` may see (pages); the
bare ``templates``/``runs``/``runs_with_items`` are for trusted code and for API views
whose permission class already checked the caller (a token's scope, a person's role).
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from apps.accounts.policy import can, restrict
from apps.warroom.models import (
    ChecklistItemMark,
    ChecklistRun,
    ChecklistRunItem,
    ChecklistTemplate,
)

RESULTS = ChecklistRunItem.Result
LAUNCH_RUNS_SHOWN = 20


def templates() -> QuerySet[ChecklistTemplate]:
    return ChecklistTemplate.objects.annotate(item_count=Count("items"))


def active_templates(*, slugs) -> QuerySet[ChecklistTemplate]:
    """The active templates among ``slugs`` (the shortcuts a launch page offers)."""
    return ChecklistTemplate.objects.filter(slug__in=list(slugs), active=True)


def template_list(*, user) -> QuerySet[ChecklistTemplate]:
    return restrict(templates(), user, "warroom.view_checklisttemplate", scope="oncall:read")


def template_detail(*, user) -> QuerySet[ChecklistTemplate]:
    return template_list(user=user).prefetch_related("items")


def run_list(*, user, filters: dict | None = None) -> QuerySet[ChecklistRun]:
    return restrict(runs(filters), user, "warroom.view_checklistrun", scope="oncall:read")


def run_item_list(*, user) -> QuerySet[ChecklistRunItem]:
    """Items of the runs ``user`` may see (their evidence files)."""
    return restrict(
        ChecklistRunItem.objects.all(), user, "warroom.view_checklistrun", scope="oncall:read"
    )


def mark_list(*, user) -> QuerySet[ChecklistItemMark]:
    """Marks of items of the runs ``user`` may see (their evidence files)."""
    return restrict(
        ChecklistItemMark.objects.all(), user, "warroom.view_checklistrun", scope="oncall:read"
    )


def run_detail(*, user) -> QuerySet[ChecklistRun]:
    return restrict(runs_with_items(), user, "warroom.view_checklistrun", scope="oncall:read")


def runs(filters: dict | None = None) -> QuerySet[ChecklistRun]:
    """Runs, newest first, each with ``total``, ``passed``, ``failed``, ``skipped``, ``open``."""
    queryset = ChecklistRun.objects.select_related(
        "template", "started_by", "completed_by", "launch"
    ).annotate(
        total=Count("items"),
        passed=Count("items", filter=Q(items__result=RESULTS.PASSED)),
        failed=Count("items", filter=Q(items__result=RESULTS.FAILED)),
        skipped=Count("items", filter=Q(items__result=RESULTS.SKIPPED)),
        open=Count("items", filter=Q(items__result=RESULTS.OPEN)),
    )
    filters = filters or {}
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("exclude_status"):
        queryset = queryset.exclude(status=filters["exclude_status"])
    if filters.get("template"):
        queryset = queryset.filter(template__slug=filters["template"])
    if filters.get("environment"):
        queryset = queryset.filter(environment=filters["environment"])
    if filters.get("launch"):
        queryset = queryset.filter(launch_id=filters["launch"])
    return queryset.order_by("-started_at", "-id")


def launch_run_list(*, user, plan, limit: int = LAUNCH_RUNS_SHOWN) -> list[ChecklistRun]:
    """The newest runs of one launch (one query), for the launch pages."""
    if not can(user, "warroom.view_checklistrun"):
        return []
    return list(runs({"launch": plan.pk})[:limit])


def runs_with_items() -> QuerySet[ChecklistRun]:
    """Runs with their items, who marked them and every mark (a constant number of queries)."""
    return runs().prefetch_related(
        Prefetch(
            "items",
            queryset=ChecklistRunItem.objects.select_related("marked_by")
            .prefetch_related(
                Prefetch("marks", queryset=ChecklistItemMark.objects.select_related("actor"))
            )
            .order_by("position"),
        )
    )
