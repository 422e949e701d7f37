"""Every write of on call. Views, the API, the admin and tasks call these."""

from apps.oncall.services.escalation import (
    LAUNCH_CHAIN_NAME,
    launch_chain_steps,
    policy_create,
    policy_create_launch_chain,
    policy_update,
)
from apps.oncall.services.feeds import feed_create, feed_render, feed_revoke, feed_rotate
from apps.oncall.services.notices import coverage_gaps_report, shift_change_notices
from apps.oncall.services.page_steps import page_step_run, page_sweep
from apps.oncall.services.pages import (
    page_acknowledge,
    page_acknowledged,
    page_resolve,
    page_resolved,
    page_send_test,
    page_trigger,
)
from apps.oncall.services.schedules import (
    layer_create,
    layer_end,
    layer_update,
    override_cancel,
    override_create,
    schedule_create,
    schedule_update,
)
from apps.oncall.services.teams import (
    team_create,
    team_member_add,
    team_member_remove,
    team_set_lead,
    team_update,
)

__all__ = [
    "LAUNCH_CHAIN_NAME",
    "coverage_gaps_report",
    "feed_create",
    "feed_render",
    "feed_revoke",
    "feed_rotate",
    "launch_chain_steps",
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
