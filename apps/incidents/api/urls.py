"""Incident and alert endpoints under /v1/ (namespace "api")."""

from django.urls import path  # noqa: F401

from apps.incidents.api import evidence as evidence_api

urlpatterns: list = []

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
