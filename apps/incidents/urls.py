"""Incident pages under /incidents/ (namespace "incidents").

Each part of the app keeps its routes in its own list here, in the order below.
"""

from django.urls import path  # noqa: F401

from apps.incidents.views import evidence as evidence_views

app_name = "incidents"

urlpatterns: list = []

# --- evidence ---
urlpatterns += [
    path("<str:number>/evidence/", evidence_views.evidence_page, name="evidence"),
    path(
        "<str:number>/evidence/<int:pk>/download",
        evidence_views.evidence_download,
        name="evidence_download",
    ),
]
