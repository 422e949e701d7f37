"""Every write of the war room. Views, the API, the admin and tasks call these."""

from apps.warroom.services.checklists import (
    checklist_item_mark,
    checklist_run_abandon,
    checklist_run_complete,
    checklist_run_start,
    checklist_template_create,
    checklist_template_update,
)
from apps.warroom.services.escalation import (
    LAUNCH_CHAIN_NAME,
    launch_chain_steps,
    policy_create,
    policy_create_launch_chain,
    policy_update,
)
from apps.warroom.services.feeds import feed_create, feed_render, feed_revoke, feed_rotate
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
from apps.warroom.services.notices import coverage_gaps_report, shift_change_notices
from apps.warroom.services.page_steps import page_step_run, page_sweep
from apps.warroom.services.pages import (
    page_acknowledge,
    page_acknowledged,
    page_resolve,
    page_resolved,
    page_send_test,
    page_trigger,
)
from apps.warroom.services.schedules import (
    layer_create,
    layer_end,
    layer_update,
    override_cancel,
    override_create,
    schedule_create,
    schedule_update,
)
from apps.warroom.services.teams import (
    team_create,
    team_member_add,
    team_member_remove,
    team_set_lead,
    team_update,
)

__all__ = [
    "checklist_item_mark",
    "checklist_run_abandon",
    "checklist_run_complete",
    "checklist_run_start",
    "checklist_template_create",
    "checklist_template_update",
    "LAUNCH_CHAIN_NAME",
    "coverage_gaps_report",
    "feed_create",
    "feed_render",
    "feed_revoke",
    "feed_rotate",
    "launch_chain_steps",
    "launch_log_append",
    "launch_plan_create",
    "launch_plan_set_status",
    "launch_plan_update",
    "launch_rollback_criterion_add",
    "launch_task_create",
    "launch_task_set_status",
    "launch_task_update",
    "layer_create",
    "layer_end",
    "layer_update",
    "override_cancel",
    "override_create",
    "page_acknowledge",
    "page_acknowledged",
    "page_resolve",
    "page_resolved",
    "page_send_test",
    "page_step_run",
    "page_sweep",
    "page_trigger",
    "policy_create",
    "policy_create_launch_chain",
    "policy_update",
    "schedule_create",
    "schedule_update",
    "shift_change_notices",
    "team_create",
    "team_member_add",
    "team_member_remove",
    "team_set_lead",
    "team_update",
]
