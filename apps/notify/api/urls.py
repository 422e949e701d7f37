"""Notify endpoints under /v1/ (namespace "api")."""

from django.urls import path

from apps.notify.api import views

urlpatterns = [
    path("notify/channels/", views.ChannelListView.as_view(), name="notify_channels"),
    path("notify/channels/<int:pk>/", views.ChannelDetailView.as_view(), name="notify_channel"),
    path(
        "notify/channels/<int:pk>/test",
        views.ChannelTestView.as_view(),
        name="notify_channel_test",
    ),
    path("notify/outbox/", views.OutboxListView.as_view(), name="notify_outbox"),
    path(
        "notify/outbox/<uuid:pk>/retry",
        views.OutboxRetryView.as_view(),
        name="notify_outbox_retry",
    ),
]
