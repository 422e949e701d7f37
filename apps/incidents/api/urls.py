"""Incident and alert endpoints under /v1/ (namespace "api")."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

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
