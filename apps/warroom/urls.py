"""War-room pages under /warroom/: checklists, the launch plan and the war-room log.

Mounted with the on-call pages (apps.oncall.urls) as one "warroom" namespace by the
project URL map.
"""

from django.urls import path

from apps.warroom.views import checklists as checklist_views
from apps.warroom.views import launch

urlpatterns = [
    path("checklists/", checklist_views.checklist_list, name="checklist_list"),
    path("checklists/start", checklist_views.run_start, name="checklist_start"),
    path("checklists/templates/new", checklist_views.template_new, name="checklist_template_new"),
    path(
        "checklists/templates/<slug:slug>/",
        checklist_views.template_detail,
        name="checklist_template",
    ),
    path(
        "checklists/templates/<slug:slug>/edit",
        checklist_views.template_edit,
        name="checklist_template_edit",
    ),
    path("checklists/runs/<int:pk>/", checklist_views.run_detail, name="checklist_run"),
    path(
        "checklists/runs/<int:pk>/items/<int:position>",
        checklist_views.item_mark,
        name="checklist_item_mark",
    ),
    path(
        "checklists/runs/<int:pk>/items/<int:position>/evidence",
        checklist_views.item_evidence,
        name="checklist_item_evidence",
    ),
    path(
        "checklists/marks/<int:pk>/evidence",
        checklist_views.mark_evidence,
        name="checklist_mark_evidence",
    ),
    path(
        "checklists/runs/<int:pk>/complete",
        checklist_views.run_complete,
        name="checklist_complete",
    ),
    path("checklists/runs/<int:pk>/abandon", checklist_views.run_abandon, name="checklist_abandon"),
    path("checklists/runs/<int:pk>/report", checklist_views.run_report, name="checklist_report"),
    path(
        "checklists/runs/<int:pk>/report.md",
        checklist_views.run_report_markdown,
        name="checklist_report_md",
    ),
    path(
        "checklists/runs/<int:pk>/report.pdf",
        checklist_views.run_report_pdf,
        name="checklist_report_pdf",
    ),
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
