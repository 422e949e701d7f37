"""Reads of post-mortems, action items and the incident metrics, restricted to the caller.

Metrics (per severity and month of declaration; merged incidents left out):

- MTTA, mean time to acknowledge: declared → acknowledged;
- time to mitigate: **started** → mitigated (how long customers felt it before the harm
  stopped; started may precede the declaration);
- MTTR, mean time to resolve: started → resolved.

Each mean counts only the incidents that reached that point; the counts say how many.
Everything is aggregated in the database: one query whatever the number of incidents.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    QuerySet,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from apps.accounts.policy import restrict
from apps.core.logging import get_logger
from apps.incidents.models import (
    ACTION_ITEM_OPEN_STATUSES,
    ActionItem,
    Incident,
    PostMortem,
    PostMortemState,
    Status,
)

log = get_logger(__name__)

VIEW_INCIDENT = "incidents.view_incident"
VIEW_POSTMORTEM = "incidents.view_postmortem"
VIEW_ACTION_ITEM = "incidents.view_actionitem"
# ``user`` is the caller: a person, or an API token (``policy.caller_of(request)``).
READ_SCOPE = "incidents:read"


def incident_by_number(*, user, number: str) -> Incident | None:
    """The incident ``number`` if the caller may see it (with its severity and owner)."""
    queryset = restrict(Incident.objects.select_related("severity", "owner"), user, VIEW_INCIDENT)
    return queryset.filter(number=number).first()


def postmortem_of(*, user, incident: Incident) -> PostMortem | None:
    queryset = restrict(
        PostMortem.objects.select_related("owner", "published_by"),
        user,
        VIEW_POSTMORTEM,
        scope=READ_SCOPE,
    )
    return queryset.filter(incident=incident).first()


def action_item_list(
    *,
    user,
    postmortem: PostMortem | None = None,
    mine: bool = False,
    overdue: bool = False,
    open_only: bool = False,
    today=None,
) -> QuerySet[ActionItem]:
    """Action items the caller may see; filters: the caller's own, overdue, still open."""
    queryset = restrict(
        ActionItem.objects.select_related("owner", "postmortem__incident"),
        user,
        VIEW_ACTION_ITEM,
        scope=READ_SCOPE,
    )
    if postmortem is not None:
        queryset = queryset.filter(postmortem=postmortem)
    if mine:
        queryset = queryset.filter(owner_id=getattr(user, "pk", None))
    if open_only or overdue:
        queryset = queryset.filter(status__in=ACTION_ITEM_OPEN_STATUSES)
    if overdue:
        queryset = queryset.filter(due_date__lt=today or timezone.localdate())
    return queryset.order_by("due_date", "id")


def action_item_by_id(*, user, pk: int) -> ActionItem | None:
    return action_item_list(user=user).filter(pk=pk).first()


def postmortems_overdue(*, user, now: datetime | None = None) -> QuerySet[PostMortem]:
    now = now or timezone.now()
    queryset = restrict(PostMortem.objects.all(), user, VIEW_POSTMORTEM, scope=READ_SCOPE)
    return queryset.exclude(state=PostMortemState.PUBLISHED).filter(due_at__lt=now)


# --- metrics -------------------------------------------------------------------------------


def _mean(end: str, start: str):
    return Avg(ExpressionWrapper(F(end) - F(start), output_field=DurationField()))


_FIGURES = {
    "incidents": Count("id"),
    "acknowledged": Count("acknowledged_at"),
    "mitigated": Count("mitigated_at"),
    "resolved": Count("resolved_at"),
    "mtta": _mean("acknowledged_at", "declared_at"),
    "time_to_mitigate": _mean("mitigated_at", "started_at"),
    "mttr": _mean("resolved_at", "started_at"),
}


def _as_timedelta(value) -> timedelta | None:
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(microseconds=float(value))  # a backend that averages to microseconds


def incident_metrics(*, user, since: datetime | None = None) -> list[dict]:
    """Rows of ``month``, ``severity``, counts and mean durations (timedelta or None), newest
    month first, most severe first. One query."""
    queryset = restrict(Incident.objects.all(), user, VIEW_INCIDENT, scope=READ_SCOPE).exclude(
        status=Status.MERGED
    )
    if since is not None:
        queryset = queryset.filter(declared_at__gte=since)
    rows = (
        queryset.annotate(month=TruncMonth("declared_at"))
        .values("month", "severity__code", "severity__rank")
        .annotate(**_FIGURES)
        .order_by("-month", "severity__rank", "severity__code")
    )
    return [
        {
            "month": row["month"],
            "severity": row["severity__code"],
            **{name: row[name] for name in ("incidents", "acknowledged", "mitigated", "resolved")},
            **{name: _as_timedelta(row[name]) for name in ("mtta", "time_to_mitigate", "mttr")},
        }
        for row in rows
    ]


def postmortems_overdue_count(*, user, now: datetime | None = None) -> int:
    return postmortems_overdue(user=user, now=now).count()


# --- Prometheus ----------------------------------------------------------------------------

# /metrics shows the last 30 days per severity (few series, two small queries per scrape).
PROMETHEUS_WINDOW = timedelta(days=30)


def _collect():
    from prometheus_client.core import GaugeMetricFamily

    now = timezone.now()
    try:
        rows = list(
            Incident.objects.exclude(status=Status.MERGED)
            .filter(declared_at__gte=now - PROMETHEUS_WINDOW)
            .values("severity__code")
            .annotate(**_FIGURES)
            .order_by("severity__code")
        )
        overdue = (
            PostMortem.objects.exclude(state=PostMortemState.PUBLISHED)
            .filter(due_at__lt=now)
            .count()
        )
        action_items_overdue = ActionItem.objects.filter(
            status__in=ACTION_ITEM_OPEN_STATUSES, due_date__lt=timezone.localdate(now)
        ).count()
    except Exception as exc:  # noqa: BLE001 - /metrics answers even without its database
        log.warning("incidents.metrics_unavailable", error=type(exc).__name__)
        return
    families = {
        "mtta": GaugeMetricFamily(
            "opsportal_incident_mtta_seconds",
            "Mean time from declaration to acknowledgement, incidents declared in the last 30 days",
            labels=["severity"],
        ),
        "time_to_mitigate": GaugeMetricFamily(
            "opsportal_incident_time_to_mitigate_seconds",
            "Mean time from start to mitigation, incidents declared in the last 30 days",
            labels=["severity"],
        ),
        "mttr": GaugeMetricFamily(
            "opsportal_incident_mttr_seconds",
            "Mean time from start to resolution, incidents declared in the last 30 days",
            labels=["severity"],
        ),
        "incidents": GaugeMetricFamily(
            "opsportal_incidents_declared_30d",
            "Incidents declared in the last 30 days",
            labels=["severity"],
        ),
    }
    for row in rows:
        code = row["severity__code"]
        families["incidents"].add_metric([code], row["incidents"])
        for name in ("mtta", "time_to_mitigate", "mttr"):
            value = _as_timedelta(row[name])
            if value is not None:
                families[name].add_metric([code], value.total_seconds())
    yield from families.values()
    yield GaugeMetricFamily(
        "opsportal_incident_postmortems_overdue",
        "Post-mortems past their due time and not yet published",
        value=overdue,
    )
    yield GaugeMetricFamily(
        "opsportal_incident_action_items_overdue",
        "Open action items past their due date",
        value=action_items_overdue,
    )


def register_metrics() -> None:
    from apps.core.metrics import register_collector

    register_collector(_collect)


__all__ = [
    "action_item_by_id",
    "action_item_list",
    "incident_by_number",
    "incident_metrics",
    "postmortem_of",
    "postmortems_overdue",
    "postmortems_overdue_count",
    "register_metrics",
]
