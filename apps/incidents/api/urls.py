"""Incident and alert endpoints under /v1/ (namespace "api")."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

# --- status updates (comms) ---------------------------------------------------------------
from django.urls import re_path  # noqa: E402

from apps.incidents.api import comms as comms_api  # noqa: E402

urlpatterns += [
    path(
        "incidents/status-templates",
        comms_api.StatusTemplateListView.as_view(),
        name="incidents_status_templates",
    ),
    re_path(
        r"^incidents/(?P<number>INC-\d{4}-\d{4,})/updates$",
        comms_api.StatusUpdateListView.as_view(),
        name="incident_updates",
    ),
]
