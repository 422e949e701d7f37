"""Every write of the war room (checklists, the launch plan and its log). Views, the API,
the admin and tasks call these."""

from apps.warroom.services.checklists import (
    checklist_item_mark,
    checklist_run_abandon,
    checklist_run_complete,
    checklist_run_start,
    checklist_template_create,
    checklist_template_update,
)
from apps.warroom.services.launch import (
    launch_plan_create,
    launch_plan_set_status,
    launch_plan_update,
    launch_rollback_criterion_add,
    launch_task_create,
    launch_task_set_status,
    launch_task_update,
)
from apps.warroom.services.launch_log import launch_log_append

__all__ = [
    "checklist_item_mark",
    "checklist_run_abandon",
    "checklist_run_complete",
    "checklist_run_start",
    "checklist_template_create",
    "checklist_template_update",
    "launch_log_append",
    "launch_plan_create",
    "launch_plan_set_status",
    "launch_plan_update",
    "launch_rollback_criterion_add",
    "launch_task_create",
    "launch_task_set_status",
    "launch_task_update",
]
