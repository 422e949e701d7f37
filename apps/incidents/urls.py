"""Incident pages under /incidents/ (namespace "incidents").

Each part of the app keeps its routes in its own list here, in the order below.
"""

from django.urls import path  # noqa: F401

app_name = "incidents"

urlpatterns: list = []

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
