"""Support endpoints under /v1/support/ (namespace "api")."""

from django.urls import path

from apps.support.api import ingest

urlpatterns = [
    path("support/ingest/<str:entity>", ingest.IngestView.as_view(), name="support_ingest"),
]
