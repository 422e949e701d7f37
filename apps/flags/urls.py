"""Flags pages under /flags/ (namespace "flags")."""

from django.urls import path

from apps.flags import views

app_name = "flags"

urlpatterns = [
    path("", views.panel, name="panel"),
    path("scheduled/", views.scheduled, name="scheduled"),
    path("scheduled/<int:pk>/cancel", views.scheduled_cancel, name="scheduled_cancel"),
    path("<str:key>/", views.flag_detail, name="detail"),
    path("<str:key>/block", views.flag_block, name="block"),
    path("<str:key>/unblock", views.flag_unblock, name="unblock"),
    path("<str:key>/request-unblock", views.flag_request_unblock, name="request_unblock"),
]
