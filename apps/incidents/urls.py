"""Incident pages under /incidents/ (namespace "incidents").

Each part of the app keeps its routes in its own list here, in the order below.
"""

from django.urls import path  # noqa: F401

app_name = "incidents"

urlpatterns: list = []

# --- status updates (comms) ---------------------------------------------------------------
from django.urls import re_path  # noqa: E402

from apps.incidents.views import comms as comms_views  # noqa: E402

_NUMBER = r"(?P<number>INC-\d{4}-\d{4,})"
urlpatterns += [
    path("templates/", comms_views.template_list, name="status_templates"),
    path("templates/new/", comms_views.template_new, name="status_template_new"),
    path("templates/<int:pk>/", comms_views.template_edit, name="status_template_edit"),
    re_path(rf"^{_NUMBER}/updates/$", comms_views.update_list, name="updates"),
    re_path(rf"^{_NUMBER}/updates/new/$", comms_views.update_new, name="update_new"),
    re_path(rf"^{_NUMBER}/updates/preview/$", comms_views.update_preview, name="update_preview"),
]
