"""Reads of the alert intake, narrowed to what the caller may see."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.accounts.policy import restrict
from apps.incidents.models import (
    Alert,
    AlertDecision,
    AlertDelivery,
    AlertGroup,
    AlertRoute,
    MaintenanceWindow,
)

VIEW = "incidents.view_alertgroup"


def group_list(*, caller, state: str | None = None, flagged: bool = False) -> QuerySet[AlertGroup]:
    groups = AlertGroup.objects.select_related("route", "team", "incident")
    if state:
        groups = groups.filter(state=state)
    if flagged:
        groups = groups.filter(Q(team__isnull=True) | ~Q(annotations__has_key="runbook_url"))
    return restrict(groups, caller, VIEW)


def incident_alert_groups(*, caller, incident, limit: int = 20) -> tuple[list[AlertGroup], dict]:
    """The alert groups attached to ``incident`` (newest first, at most ``limit``) and their
    counts by state: two queries whatever the incident holds."""
    groups = restrict(AlertGroup.objects.filter(incident=incident), caller, VIEW)
    rows = list(groups.select_related("route", "team").order_by("-last_seen_at", "-id")[:limit])
    counts = {
        row["state"]: row["n"] for row in groups.order_by().values("state").annotate(n=Count("id"))
    }
    return rows, counts


def group_decisions(group: AlertGroup, limit: int = 200) -> list[AlertDecision]:
    return list(group.decisions.order_by("-id")[:limit])


def group_events(group: AlertGroup, limit: int = 50) -> list[Alert]:
    return list(group.alerts.order_by("-starts_at", "-id")[:limit])


def delivery_list(*, caller) -> QuerySet[AlertDelivery]:
    return restrict(AlertDelivery.objects.select_related("sender"), caller, VIEW)


def route_list(*, caller) -> QuerySet[AlertRoute]:
    return restrict(
        AlertRoute.objects.select_related(
            "team", "policy", "open_incident_severity", "incident_owner"
        ),
        caller,
        VIEW,
    )


def window_list(*, caller) -> QuerySet[MaintenanceWindow]:
    return restrict(
        MaintenanceWindow.objects.select_related("created_by", "ended_by"), caller, VIEW
    )


def alert_metrics(*, days: int = 30, top: int = 10) -> dict:
    """Alerts (firing events) by route and the noisiest rules (alertname) over ``days``."""
    since = timezone.now() - timedelta(days=days)
    firing = Alert.objects.filter(status=Alert.Status.FIRING, received_at__gte=since)
    by_route = list(firing.values("route__name").annotate(alerts=Count("id")).order_by("-alerts"))
    noisiest = list(
        firing.values("group__alertname").annotate(alerts=Count("id")).order_by("-alerts")[:top]
    )
    return {
        "days": days,
        "by_route": [
            {"route": row["route__name"] or "", "alerts": row["alerts"]} for row in by_route
        ],
        "noisiest": [
            {"alertname": row["group__alertname"] or "", "alerts": row["alerts"]}
            for row in noisiest
        ],
    }


def route_references(data: dict) -> tuple[dict, dict[str, list[str]]]:
    """The objects an API route write names (team slug, policy id, severity code, owner
    id) looked up; returns the resolved fields and the errors of those not found."""
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext as _

    from apps.incidents.models import Severity
    from apps.oncall.models import EscalationPolicy, Team

    data = dict(data)
    errors: dict[str, list[str]] = {}
    if "team" in data:
        data["team"] = Team.objects.filter(slug=data["team"]).first()
        if data["team"] is None:
            errors["team"] = [_("No such team.")]
    if data.get("policy") is not None:
        data["policy"] = EscalationPolicy.objects.filter(pk=data["policy"]).first()
        if data["policy"] is None:
            errors["policy"] = [_("No such escalation policy.")]
    if data.get("open_incident_severity"):
        code = data["open_incident_severity"]
        data["open_incident_severity"] = Severity.objects.filter(code=code).first()
        if data["open_incident_severity"] is None:
            errors["open_incident_severity"] = [_("Unknown severity.")]
    elif "open_incident_severity" in data:
        data["open_incident_severity"] = None
    if data.get("incident_owner") is not None:
        data["incident_owner"] = (
            get_user_model()
            .objects.filter(pk=data["incident_owner"], is_service_account=False)
            .first()
        )
        if data["incident_owner"] is None:
            errors["incident_owner"] = [_("No such person.")]
    return data, errors
