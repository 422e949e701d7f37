"""Incident pages under /incidents/ (namespace "incidents").

Each part of the app keeps its routes in its own list here, in the order below.
"""

from django.urls import path  # noqa: F401

app_name = "incidents"

urlpatterns: list = []
