"""Incident pages under /incidents/ (namespace "incidents").

Each part of the app keeps its routes in its own list here, in the order below.
"""

from django.urls import path

from apps.incidents.views import core
from apps.incidents.views import evidence as evidence_views

app_name = "incidents"

urlpatterns: list = []

# --- core: list, declare, severity levels, the incident page and its actions, exports ---
urlpatterns += [
    path("", core.incident_list, name="list"),
    path("declare", core.incident_declare, name="declare"),
    path("severities/", core.severity_list, name="severities"),
    path("severities/new", core.severity_new, name="severity_new"),
    path("severities/<int:pk>/edit", core.severity_edit, name="severity_edit"),
    path("<str:number>/", core.incident_detail, name="detail"),
    path("<str:number>/status", core.incident_status, name="status"),
    path("<str:number>/severity", core.incident_severity, name="severity"),
    path("<str:number>/edit", core.incident_edit, name="edit"),
    path("<str:number>/roles", core.incident_role, name="role"),
    path("<str:number>/roles/end", core.incident_role_end, name="role_end"),
    path("<str:number>/entries", core.incident_entry, name="entry"),
    path("<str:number>/page", core.incident_page, name="page"),
    path("<str:number>/merge", core.incident_merge, name="merge"),
    path("<str:number>/timeline.md", core.timeline_md, name="timeline_md"),
    path("<str:number>/timeline.json", core.timeline_json, name="timeline_json"),
]

# --- mitigation: kill switches held, blocking one, the resolution screen ---------------------
from apps.incidents.views import mitigation as mitigation_views  # noqa: E402

urlpatterns += [
    path("<str:number>/switches/", mitigation_views.switches, name="switches"),
    path("<str:number>/switches/block", mitigation_views.switch_block, name="switch_block"),
    path("<str:number>/resolve", mitigation_views.resolve, name="resolve"),
]

# --- status updates (comms) ----------------------------------------------------------------
from apps.incidents.views import comms as comms_views  # noqa: E402

# The templates' fixed paths go first: "<str:number>/" above would take "templates/".
urlpatterns[0:0] = [
    path("templates/", comms_views.template_list, name="status_templates"),
    path("templates/new/", comms_views.template_new, name="status_template_new"),
    path("templates/<int:pk>/", comms_views.template_edit, name="status_template_edit"),
]
urlpatterns += [
    path("<str:number>/updates/", comms_views.update_list, name="updates"),
    path("<str:number>/updates/new/", comms_views.update_new, name="update_new"),
    path("<str:number>/updates/preview/", comms_views.update_preview, name="update_preview"),
]

# --- post-mortems -------------------------------------------------------------------------
from apps.incidents.views import postmortems  # noqa: E402

# Pages without an incident number go first, so "<number>/" routes never take them.
urlpatterns[:0] = [
    path("action-items/", postmortems.action_item_list, name="action_items"),
    path("action-items/<int:pk>/", postmortems.action_item_edit, name="action_item_edit"),
    path("metrics/", postmortems.metrics, name="metrics"),
]
urlpatterns += [
    path("<str:number>/postmortem", postmortems.postmortem_edit, name="postmortem"),
    path("<str:number>/postmortem/state", postmortems.postmortem_state, name="postmortem_state"),
    path(
        "<str:number>/postmortem/action-items",
        postmortems.action_item_add,
        name="action_item_add",
    ),
]

# --- evidence ---
urlpatterns += [
    path("<str:number>/evidence/", evidence_views.evidence_page, name="evidence"),
    path(
        "<str:number>/evidence/<int:pk>/download",
        evidence_views.evidence_download,
        name="evidence_download",
    ),
]

# --- alerts ----------------------------------------------------------------------------
from apps.incidents.views import alerts as alert_views  # noqa: E402

# Fixed paths go first, so "<number>/" routes never take "alerts/".
urlpatterns[:0] = [
    path("alerts/", alert_views.group_list, name="alert_groups"),
    path("alerts/groups/<int:pk>/", alert_views.group_detail, name="alert_group"),
    path("alerts/deliveries/", alert_views.delivery_list, name="alert_deliveries"),
    path("alerts/deliveries/<int:pk>/", alert_views.delivery_detail, name="alert_delivery"),
    path("alerts/routes/", alert_views.route_list, name="alert_routes"),
    path("alerts/routes/new", alert_views.route_create, name="alert_route_create"),
    path("alerts/routes/<int:pk>/edit", alert_views.route_edit, name="alert_route_edit"),
    path("alerts/routes/<int:pk>/test", alert_views.route_test, name="alert_route_test"),
    path("alerts/windows/", alert_views.window_list, name="alert_windows"),
    path("alerts/windows/<int:pk>/end", alert_views.window_end, name="alert_window_end"),
    path("alerts/metrics/", alert_views.alert_metrics, name="alert_metrics"),
]
