"""War-room endpoints under /v1/ (namespace "api"): checklists and launch plans."""

from django.urls import path

from apps.warroom.api.views import checklists, launch

urlpatterns = [
    path(
        "checklists/templates/",
        checklists.ChecklistTemplateListView.as_view(),
        name="warroom_checklist_templates",
    ),
    path(
        "checklists/templates/<slug:slug>",
        checklists.ChecklistTemplateDetailView.as_view(),
        name="warroom_checklist_template",
    ),
    path(
        "checklists/runs/",
        checklists.ChecklistRunListView.as_view(),
        name="warroom_checklist_runs",
    ),
    path(
        "checklists/runs/<int:pk>",
        checklists.ChecklistRunDetailView.as_view(),
        name="warroom_checklist_run",
    ),
    path(
        "checklists/runs/<int:pk>/items/<int:position>",
        checklists.ChecklistItemMarkView.as_view(),
        name="warroom_checklist_item_mark",
    ),
    path(
        "checklists/runs/<int:pk>/complete",
        checklists.ChecklistRunCompleteView.as_view(),
        name="warroom_checklist_run_complete",
    ),
    path(
        "checklists/runs/<int:pk>/abandon",
        checklists.ChecklistRunAbandonView.as_view(),
        name="warroom_checklist_run_abandon",
    ),
    path(
        "checklists/runs/<int:pk>/report.md",
        checklists.ChecklistRunReportView.as_view(),
        name="warroom_checklist_run_report",
    ),
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
