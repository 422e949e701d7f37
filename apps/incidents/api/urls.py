"""Incident and alert endpoints under /v1/ (namespace "api")."""

from django.urls import path

from apps.incidents.api import alerts

urlpatterns: list = []

# --- alerts ----------------------------------------------------------------------------
urlpatterns += [
    path("alerts", alerts.PlainIntakeView.as_view(), name="alerts_receive"),
    path(
        "alerts/alertmanager",
        alerts.AlertmanagerIntakeView.as_view(),
        name="alerts_alertmanager_receive",
    ),
    path("alerts/groups", alerts.GroupListView.as_view(), name="alerts_group_list"),
    path("alerts/groups/<int:pk>", alerts.GroupDetailView.as_view(), name="alerts_group"),
    path("alerts/deliveries/<int:pk>", alerts.DeliveryDetailView.as_view(), name="alerts_delivery"),
    path("alerts/routes", alerts.RouteListView.as_view(), name="alerts_route_list"),
    path("alerts/routes/<int:pk>", alerts.RouteDetailView.as_view(), name="alerts_route"),
    path("alerts/routes/<int:pk>/test", alerts.RouteTestView.as_view(), name="alerts_route_test"),
    path(
        "alerts/maintenance-windows",
        alerts.WindowListView.as_view(),
        name="alerts_window_list",
    ),
    path(
        "alerts/maintenance-windows/<int:pk>/end",
        alerts.WindowEndView.as_view(),
        name="alerts_window_end",
    ),
]
