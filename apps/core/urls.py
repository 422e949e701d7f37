from django.urls import path

from apps.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health_live, name="health"),
    path("health/readiness", views.health_ready, name="readiness"),
    path("metrics", views.metrics_view, name="metrics"),
]
