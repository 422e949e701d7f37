"""Back office view of alert intake: read-only.

Deliveries, alerts, groups, their pages and decisions are records of what senders reported
and what the portal decided; routes and maintenance windows are edited on the alerts pages
and through the API, which validate matchers and write through the services. The admin
shows them and changes nothing.
"""

from __future__ import annotations

from django.contrib import admin

from apps.incidents.models import (
    Alert,
    AlertDecision,
    AlertDelivery,
    AlertGroup,
    AlertPage,
    AlertRoute,
    MaintenanceWindow,
)
from apps.oncall.admin import ReadOnlyAdmin


class _ReadOnly(ReadOnlyAdmin):
    actions = None


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(_ReadOnly):
    list_display = ["id", "source", "received_at", "sender", "alert_count", "processed_at"]
    list_filter = ["source", "is_test"]
    search_fields = ["group_key", "receiver"]
    list_select_related = ["sender"]


@admin.register(AlertGroup)
class AlertGroupAdmin(_ReadOnly):
    list_display = [
        "alertname",
        "fingerprint",
        "state",
        "route",
        "team",
        "incident",
        "last_seen_at",
    ]
    list_filter = ["state", "silenced", "is_test"]
    search_fields = ["fingerprint", "alertname"]
    list_select_related = ["route", "team", "incident"]


@admin.register(Alert)
class AlertAdmin(_ReadOnly):
    list_display = ["fingerprint", "status", "starts_at", "ends_at", "received_at"]
    list_filter = ["status"]
    search_fields = ["fingerprint"]


@admin.register(AlertPage)
class AlertPageAdmin(_ReadOnly):
    list_display = ["group", "episode", "route_name", "page", "created_at"]
    list_select_related = ["group", "page"]


@admin.register(AlertDecision)
class AlertDecisionAdmin(_ReadOnly):
    list_display = ["delivery", "index", "fingerprint", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["fingerprint"]


@admin.register(AlertRoute)
class AlertRouteAdmin(_ReadOnly):
    list_display = ["position", "name", "team", "policy", "open_incident_severity", "enabled"]
    list_select_related = ["team", "policy", "open_incident_severity"]


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(_ReadOnly):
    list_display = ["reason", "starts_at", "ends_at", "created_by"]
    list_select_related = ["created_by"]
