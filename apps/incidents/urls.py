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

# --- evidence ---
urlpatterns += [
    path("<str:number>/evidence/", evidence_views.evidence_page, name="evidence"),
    path(
        "<str:number>/evidence/<int:pk>/download",
        evidence_views.evidence_download,
        name="evidence_download",
    ),
]
