"""Flags endpoints under /v1/ (namespace "api").

The fixed paths (evaluate, snapshot, scheduled-changes) come before ``flags/<key>/`` and
never clash with it: a key's paths end in a slash or a sub-path.
"""

from django.urls import path

from apps.flags.api import views

urlpatterns = [
    path("flags/", views.FlagListView.as_view(), name="flags"),
    path("flags/evaluate", views.FlagBatchEvaluateView.as_view(), name="flags_evaluate_batch"),
    path("flags/snapshot", views.FlagSnapshotView.as_view(), name="flags_snapshot"),
    path(
        "flags/scheduled-changes",
        views.ScheduledChangeListView.as_view(),
        name="flags_scheduled_changes",
    ),
    path(
        "flags/scheduled-changes/<int:pk>/cancel",
        views.ScheduledChangeCancelView.as_view(),
        name="flags_scheduled_change_cancel",
    ),
    path("flags/<str:key>/", views.FlagDetailView.as_view(), name="flag"),
    path("flags/<str:key>/states", views.FlagStateListView.as_view(), name="flag_states"),
    path("flags/<str:key>/evaluate", views.FlagEvaluateView.as_view(), name="flag_evaluate"),
    path("admin/system-flags/set", views.SystemFlagSetView.as_view(), name="system_flags_set"),
]
