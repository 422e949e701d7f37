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
