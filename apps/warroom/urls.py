"""Launch-plan pages under /warroom/launches/ and /warroom/launch-log/ (added to
apps.warroom.urls, namespace "warroom")."""

from django.urls import path

from apps.warroom.views import launch

launch_urlpatterns = [
    path("launches/", launch.launch_list, name="launch_list"),
    path("launches/new", launch.launch_new, name="launch_new"),
    path("launches/<int:pk>/", launch.launch_detail, name="launch_detail"),
    path("launches/<int:pk>/edit", launch.launch_edit, name="launch_edit"),
    path("launches/<int:pk>/status", launch.launch_status, name="launch_status"),
    path("launches/<int:pk>/countdown", launch.launch_countdown, name="launch_countdown"),
    path("launches/<int:pk>/tasks/new", launch.launch_task_new, name="launch_task_new"),
    path(
        "launches/<int:pk>/criteria/new", launch.launch_criterion_new, name="launch_criterion_new"
    ),
    path("launch-tasks/<int:pk>/edit", launch.launch_task_edit, name="launch_task_edit"),
    path("launch-tasks/<int:pk>/status", launch.launch_task_status, name="launch_task_status"),
    path("launch-log/", launch.launch_log, name="launch_log"),
    path("launch-log/append", launch.launch_log_append, name="launch_log_append"),
]
