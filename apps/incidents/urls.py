"""Incident pages under /incidents/ (namespace "incidents").

Each part of the app keeps its routes in its own list here, in the order below.
"""

from django.urls import path  # noqa: F401

app_name = "incidents"

urlpatterns: list = []

# --- alerts ----------------------------------------------------------------------------
from apps.incidents.views import alerts as alert_views  # noqa: E402

urlpatterns += [
    path("alerts/", alert_views.group_list, name="alert_groups"),
    path("alerts/groups/<int:pk>/", alert_views.group_detail, name="alert_group"),
    path("alerts/deliveries/", alert_views.delivery_list, name="alert_deliveries"),
    path("alerts/deliveries/<int:pk>/", alert_views.delivery_detail, name="alert_delivery"),
    path("alerts/routes/", alert_views.route_list, name="alert_routes"),
    path("alerts/routes/new", alert_views.route_create, name="alert_route_create"),
    path("alerts/routes/<int:pk>/edit", alert_views.route_edit, name="alert_route_edit"),
    path("alerts/routes/<int:pk>/test", alert_views.route_test, name="alert_route_test"),
    path("alerts/windows/", alert_views.window_list, name="alert_windows"),
    path("alerts/windows/<int:pk>/end", alert_views.window_end, name="alert_window_end"),
    path("alerts/metrics/", alert_views.alert_metrics, name="alert_metrics"),
]
