"""Incident and alert endpoints under /v1/ (namespace "api")."""

from django.urls import path

from apps.incidents.api import core
from apps.incidents.api import evidence as evidence_api

urlpatterns: list = []

# --- core: incidents, their status, severity, roles, timeline, pages, merging --------------
urlpatterns += [
    path("incidents/", core.IncidentListView.as_view(), name="incidents"),
    path("incidents/severities", core.SeverityListView.as_view(), name="incident_severities"),
    path("incidents/<str:number>", core.IncidentDetailView.as_view(), name="incident"),
    path(
        "incidents/<str:number>/status",
        core.IncidentStatusView.as_view(),
        name="incident_status",
    ),
    path(
        "incidents/<str:number>/severity",
        core.IncidentSeverityView.as_view(),
        name="incident_severity",
    ),
    path("incidents/<str:number>/roles", core.IncidentRolesView.as_view(), name="incident_roles"),
    path(
        "incidents/<str:number>/entries",
        core.IncidentEntriesView.as_view(),
        name="incident_entries",
    ),
    path("incidents/<str:number>/page", core.IncidentPageView.as_view(), name="incident_page"),
    path("incidents/<str:number>/merge", core.IncidentMergeView.as_view(), name="incident_merge"),
    path(
        "incidents/<str:number>/timeline",
        core.IncidentTimelineView.as_view(),
        name="incident_timeline",
    ),
    path(
        "incidents/<str:number>/timeline.md",
        core.IncidentTimelineMarkdownView.as_view(),
        name="incident_timeline_md",
    ),
]

# --- mitigation: kill switches held, blocking one, resolving ---------------------------------
from apps.incidents.api import mitigation as mitigation_api  # noqa: E402

urlpatterns += [
    path(
        "incidents/<str:number>/switches",
        mitigation_api.IncidentSwitchesView.as_view(),
        name="incident_switches",
    ),
    path(
        "incidents/<str:number>/switches/block",
        mitigation_api.IncidentSwitchBlockView.as_view(),
        name="incident_switch_block",
    ),
    path(
        "incidents/<str:number>/resolve",
        mitigation_api.IncidentResolveView.as_view(),
        name="incident_resolve",
    ),
]

# --- status updates (comms) ----------------------------------------------------------------
from apps.incidents.api import comms as comms_api  # noqa: E402

# The fixed path goes first: "incidents/<str:number>" above would take "status-templates".
urlpatterns[0:0] = [
    path(
        "incidents/status-templates",
        comms_api.StatusTemplateListView.as_view(),
        name="incidents_status_templates",
    ),
]
urlpatterns += [
    path(
        "incidents/<str:number>/updates",
        comms_api.StatusUpdateListView.as_view(),
        name="incident_updates",
    ),
]

# --- post-mortems -------------------------------------------------------------------------
from apps.incidents.api import postmortems  # noqa: E402

urlpatterns += [
    path(
        "incidents/<str:number>/postmortem",
        postmortems.PostMortemView.as_view(),
        name="incident_postmortem",
    ),
    path(
        "incidents/<str:number>/postmortem/submit",
        postmortems.PostMortemSubmitView.as_view(),
        name="incident_postmortem_submit",
    ),
    path(
        "incidents/<str:number>/postmortem/publish",
        postmortems.PostMortemPublishView.as_view(),
        name="incident_postmortem_publish",
    ),
    path(
        "incidents/<str:number>/postmortem/return",
        postmortems.PostMortemReturnView.as_view(),
        name="incident_postmortem_return",
    ),
    path(
        "incidents/<str:number>/postmortem/action-items",
        postmortems.ActionItemListView.as_view(),
        name="incident_action_items",
    ),
    path(
        "incidents/action-items/<int:pk>",
        postmortems.ActionItemDetailView.as_view(),
        name="incident_action_item",
    ),
]

# --- evidence ---
urlpatterns += [
    path(
        "incidents/<str:number>/evidence",
        evidence_api.EvidenceListView.as_view(),
        name="incident_evidence",
    ),
    path(
        "incidents/<str:number>/evidence/<int:pk>",
        evidence_api.EvidenceDetailView.as_view(),
        name="incident_evidence_detail",
    ),
    path(
        "incidents/<str:number>/evidence/<int:pk>/download",
        evidence_api.EvidenceDownloadView.as_view(),
        name="incident_evidence_download",
    ),
]

# --- alerts ----------------------------------------------------------------------------
from apps.incidents.api import alerts  # noqa: E402

urlpatterns += [
    path("alerts", alerts.PlainIntakeView.as_view(), name="alerts_receive"),
    path(
        "alerts/alertmanager",
        alerts.AlertmanagerIntakeView.as_view(),
        name="alerts_alertmanager_receive",
    ),
    path("alerts/groups", alerts.GroupListView.as_view(), name="alerts_group_list"),
    path("alerts/groups/<int:pk>", alerts.GroupDetailView.as_view(), name="alerts_group"),
    path("alerts/deliveries/<int:pk>", alerts.DeliveryDetailView.as_view(), name="alerts_delivery"),
    path("alerts/routes", alerts.RouteListView.as_view(), name="alerts_route_list"),
    path("alerts/routes/<int:pk>", alerts.RouteDetailView.as_view(), name="alerts_route"),
    path("alerts/routes/<int:pk>/test", alerts.RouteTestView.as_view(), name="alerts_route_test"),
    path(
        "alerts/maintenance-windows",
        alerts.WindowListView.as_view(),
        name="alerts_window_list",
    ),
    path(
        "alerts/maintenance-windows/<int:pk>/end",
        alerts.WindowEndView.as_view(),
        name="alerts_window_end",
    ),
]
