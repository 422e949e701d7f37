"""Who may do what with launch plans (the roles are in ``apps.accounts.roles``).

- every verified person sees launch plans and the war-room log;
- ops, incident commanders and super admins (``warroom.change_launchplan``) create and
  edit plans, move T0, change a launch's status, add tasks and rollback criteria, and
  change any task's status (``warroom.change_launchtask``);
- a task's owners — its owner person, and the members of its owner team — may change that
  task's status (checked here, per task);
- the war-room log takes entries of every kind from holders of
  ``warroom.add_launchlogentry`` (ops, incident commanders, super admins); a person who
  owns a task of a launch may add notes and events to that launch's log, while decisions,
  go/no-go and rollback entries stay with the launch's leads.
"""

from __future__ import annotations

from apps.accounts.policy import can
from apps.oncall.models import Membership
from apps.warroom.models import LaunchLogEntry, LaunchPlan, LaunchTask

PERM_VIEW = "warroom.view_launchplan"
PERM_ADD = "warroom.add_launchplan"
PERM_CHANGE = "warroom.change_launchplan"
PERM_TASK_STATUS = "warroom.change_launchtask"
PERM_LOG_VIEW = "warroom.view_launchlogentry"
PERM_LOG_APPEND = "warroom.add_launchlogentry"
OWNER_LOG_KINDS = {LaunchLogEntry.Kind.NOTE, LaunchLogEntry.Kind.EVENT}


def is_task_owner(user, task: LaunchTask) -> bool:
    """The task's owner person, or a member of its owner team."""
    if user is None or not getattr(user, "pk", None):
        return False
    if task.owner_id == user.pk:
        return True
    return bool(
        task.owner_team_id
        and Membership.objects.filter(team_id=task.owner_team_id, user_id=user.pk).exists()
    )


def owns_a_task(user, plan: LaunchPlan) -> bool:
    if user is None or not getattr(user, "pk", None):
        return False
    teams = Membership.objects.filter(user_id=user.pk).values("team_id")
    return (
        plan.tasks.filter(owner_id=user.pk).exists()
        or plan.tasks.filter(owner_team_id__in=teams).exists()
    )


def can_set_task_status(user, task: LaunchTask) -> bool:
    if can(user, PERM_TASK_STATUS, task):
        return True
    # The owner path still needs a verified, active person (``can`` on the view right).
    return can(user, PERM_VIEW) and is_task_owner(user, task)


def can_append_log(user, plan: LaunchPlan | None = None, kind: str | None = None) -> bool:
    if can(user, PERM_LOG_APPEND):
        return True
    if plan is None or not can(user, PERM_LOG_VIEW):
        return False
    return (kind is None or kind in OWNER_LOG_KINDS) and owns_a_task(user, plan)
