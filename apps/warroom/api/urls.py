"""Launch-plan endpoints under /v1/launches/ (added to apps.warroom.api.urls)."""

from django.urls import path

from apps.warroom.api import views_launch as launch

launch_urlpatterns = [
    path("launches/", launch.LaunchListView.as_view(), name="warroom_launches"),
    path("launches/log/", launch.WarRoomLogView.as_view(), name="warroom_launch_log_all"),
    path("launches/<int:pk>", launch.LaunchDetailView.as_view(), name="warroom_launch"),
    path(
        "launches/<int:pk>/status",
        launch.LaunchStatusView.as_view(),
        name="warroom_launch_status",
    ),
    path(
        "launches/<int:pk>/tasks/",
        launch.LaunchTaskListView.as_view(),
        name="warroom_launch_tasks",
    ),
    path(
        "launches/<int:pk>/tasks/<int:task_pk>/status",
        launch.LaunchTaskStatusView.as_view(),
        name="warroom_launch_task_status",
    ),
    path(
        "launches/<int:pk>/rollback-criteria/",
        launch.RollbackCriteriaView.as_view(),
        name="warroom_launch_criteria",
    ),
    path("launches/<int:pk>/log/", launch.LaunchLogView.as_view(), name="warroom_launch_log"),
]
