"""Incident and alert endpoints under /v1/ (namespace "api")."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
