"""Incident pages under /incidents/ (namespace "incidents").

Each part of the app keeps its routes in its own list here, in the order below.
"""

from django.urls import path  # noqa: F401

app_name = "incidents"

urlpatterns: list = []

# --- mitigation: kill switches held, blocking one, the resolution screen ---------------------
from apps.incidents.views import mitigation as mitigation_views  # noqa: E402

urlpatterns += [
    path("<str:number>/switches/", mitigation_views.switches, name="switches"),
    path("<str:number>/switches/block", mitigation_views.switch_block, name="switch_block"),
    path("<str:number>/resolve", mitigation_views.resolve, name="resolve"),
]
