"""Incident and alert endpoints under /v1/ (namespace "api")."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

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
