"""The launch plan: plans and their T0 and status, phases, tasks and rollback criteria.

Tasks keep their offset from T0, so moving T0 moves every due time. Every change of a
task's status, of T0 and of the launch's status writes its own entry in the war-room log
(``apps.warroom.services.launch_log``) in the same transaction. Who may do what:
``apps.warroom.services.launch_access``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.display import person_label
from apps.accounts.policy import require
from apps.core.events import record_event
from apps.core.logging import get_logger
from apps.oncall.models import Team
from apps.warroom import launch_template
from apps.warroom.launch_time import UNITS, format_offset
from apps.warroom.models import (
    LaunchLogEntry,
    LaunchPhase,
    LaunchPlan,
    LaunchTask,
    RollbackCriterion,
)
from apps.warroom.services.launch_access import (
    PERM_ADD,
    PERM_CHANGE,
    can_set_task_status,
)
from apps.warroom.services.launch_log import write_log

log = get_logger(__name__)

Status = LaunchPlan.Status
TaskStatus = LaunchTask.Status
Kind = LaunchLogEntry.Kind

# Which status a launch may move to from each status.
TRANSITIONS: dict[str, set[str]] = {
    Status.PLANNED: {Status.LIVE, Status.CANCELLED},
    Status.LIVE: {Status.COMPLETED, Status.ROLLED_BACK},
    Status.ROLLED_BACK: {Status.PLANNED, Status.CANCELLED},
    Status.COMPLETED: set(),
    Status.CANCELLED: set(),
}
# Moves that need a written reason.
REASON_REQUIRED = {Status.ROLLED_BACK, Status.CANCELLED}
TASK_NOTE_REQUIRED = {TaskStatus.BLOCKED, TaskStatus.SKIPPED}


# --- helpers ---------------------------------------------------------------------------------


def _check_person(user, field: str) -> None:
    if user is None:
        return
    if not getattr(user, "is_active", False) or getattr(user, "is_service_account", False):
        raise ValidationError({field: _("Choose an active person (not a service account).")})


def _when(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


# --- plans -----------------------------------------------------------------------------------


def _seed_phases(plan: LaunchPlan) -> dict[str, LaunchPhase]:
    phases = {}
    for position, (kind, start, end, goal) in enumerate(launch_template.PHASES, start=1):
        phase = LaunchPhase(
            plan=plan,
            kind=kind,
            position=position,
            goal=str(goal),
            start_offset=start,
            end_offset=end,
        )
        phase.full_clean()
        phase.save()
        phases[kind] = phase
    return phases


def _seed_template(plan: LaunchPlan, phases: dict[str, LaunchPhase]) -> None:
    teams = {team.slug: team for team in Team.objects.all()}
    tasks = []
    for phase_kind, offset, unit, team_slug, title, description in launch_template.TASKS:
        task = LaunchTask(
            plan=plan,
            phase=phases[phase_kind],
            title=str(title),
            description=str(description),
            offset=offset,
            offset_unit=unit,
            owner_team=teams.get(team_slug),
        )
        task.full_clean()
        tasks.append(task)
    LaunchTask.objects.bulk_create(tasks)
    criteria = []
    for position, (condition, threshold, action, owner) in enumerate(
        launch_template.rollback_criteria(), start=1
    ):
        criterion = RollbackCriterion(
            plan=plan,
            position=position,
            condition=condition,
            threshold=threshold,
            action=action,
            decision_owner=owner,
        )
        criterion.full_clean()
        criteria.append(criterion)
    RollbackCriterion.objects.bulk_create(criteria)


@transaction.atomic
def launch_plan_create(
    *,
    actor,
    name: str,
    t0: datetime | None,
    description: str = "",
    from_template: bool = False,
) -> LaunchPlan:
    """A new launch with the four phases (pre-flight, pilot, canary, full go-live).

    ``from_template=True`` also copies the runbooks' tasks at their offsets (T-21 d,
    T-14 d and the cutover checklist T-7 d … T+7 d) and the rollback criteria; an empty
    description then gets the runbook's SLOs and freeze plan.
    """
    require(actor, PERM_ADD)
    if t0 is None:
        raise ValidationError({"t0": _("Give T0, the planned start time.")})
    if timezone.is_naive(t0):
        raise ValidationError({"t0": _("Give T0 with its time zone.")})
    description = (description or "").strip()
    if from_template and not description:
        description = str(launch_template.DESCRIPTION)
    plan = LaunchPlan(
        name=(name or "").strip(),
        t0=t0,
        description=description,
        created_by=actor,
    )
    plan.full_clean()
    plan.save()
    phases = _seed_phases(plan)
    if from_template:
        _seed_template(plan, phases)
    write_log(
        author=actor,
        plan=plan,
        kind=Kind.EVENT,
        text=_("Launch plan created; T0 is %(t0)s.") % {"t0": _when(plan.t0)},
        data={"t0": plan.t0.isoformat(), "from_template": from_template},
    )
    record_event(
        "launch.created",
        actor=actor,
        target=plan,
        data={
            "t0": plan.t0.isoformat(),
            "from_template": from_template,
            "tasks": plan.tasks.count(),
        },
    )
    log.info("launch.created", plan=plan.pk, template=from_template)
    return plan


@transaction.atomic
def launch_plan_update(
    *,
    actor,
    plan: LaunchPlan,
    name: str | None = None,
    description: str | None = None,
    t0: datetime | None = None,
    reason: str = "",
) -> LaunchPlan:
    """Rename, describe or move T0. Tasks keep their offsets, so their due times move with
    T0; the move is written to the war-room log."""
    require(actor, PERM_CHANGE, plan)
    plan = LaunchPlan.objects.select_for_update().get(pk=plan.pk)
    changed: dict = {}
    if name is not None and name.strip() != plan.name:
        changed["name"] = [plan.name, name.strip()]
        plan.name = name.strip()
    if description is not None and description != plan.description:
        changed["description"] = True
        plan.description = description
    old_t0 = plan.t0
    if t0 is not None:
        if timezone.is_naive(t0):
            raise ValidationError({"t0": _("Give T0 with its time zone.")})
        if t0 != plan.t0:
            if plan.status in (Status.COMPLETED, Status.CANCELLED):
                raise ValidationError(
                    {
                        "t0": _("This launch is %(status)s; T0 cannot move.")
                        % {"status": plan.get_status_display()}
                    }
                )
            changed["t0"] = [old_t0.isoformat(), t0.isoformat()]
            plan.t0 = t0
    if not changed:
        return plan
    plan.full_clean()
    plan.save()
    if "t0" in changed:
        shift = plan.t0 - old_t0
        text = _(
            "T0 moved from %(old)s to %(new)s (%(shift)s); every task's due time moves with it."
        ) % {
            "old": _when(old_t0),
            "new": _when(plan.t0),
            "shift": _shift_label(shift),
        }
        if reason.strip():
            text += " " + _("Reason: %(reason)s") % {"reason": reason.strip()}
        write_log(
            author=actor,
            plan=plan,
            kind=Kind.DECISION,
            text=text,
            data={"from": old_t0.isoformat(), "to": plan.t0.isoformat(), "reason": reason},
        )
        record_event(
            "launch.t0_changed",
            actor=actor,
            target=plan,
            data={"from": old_t0.isoformat(), "to": plan.t0.isoformat(), "reason": reason},
        )
    other = {k: v for k, v in changed.items() if k != "t0"}
    if other:
        record_event("launch.updated", actor=actor, target=plan, data={"changed": other})
    return plan


def _shift_label(shift: timedelta) -> str:
    sign = "+" if shift >= timedelta(0) else "-"
    return sign + format_offset(abs(shift))[2:]


@transaction.atomic
def launch_plan_set_status(*, actor, plan: LaunchPlan, status: str, reason: str = "") -> LaunchPlan:
    """Go live, complete, roll back, plan again (after a rollback) or cancel a launch.

    Going live is the GO decision (a go/no-go log entry); a rollback is logged as such and
    needs a reason, like a cancellation.
    """
    require(actor, PERM_CHANGE, plan)
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown launch status.")})
    plan = LaunchPlan.objects.select_for_update().get(pk=plan.pk)
    previous = plan.status
    if status == previous:
        return plan
    if status not in TRANSITIONS[previous]:
        raise ValidationError(
            {
                "status": _("A launch that is %(from)s cannot become %(to)s.")
                % {"from": plan.get_status_display(), "to": Status(status).label}
            }
        )
    reason = (reason or "").strip()
    if status in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": _("Say why (it goes into the war-room log).")})
    plan.status = status
    plan.full_clean()
    plan.save(update_fields=["status", "updated_at"])
    kind, text = {
        Status.LIVE: (Kind.GO_NO_GO, _("GO: the launch is live.")),
        Status.ROLLED_BACK: (Kind.ROLLBACK, _("Rollback declared.")),
        Status.COMPLETED: (Kind.DECISION, _("Launch completed.")),
        Status.CANCELLED: (Kind.DECISION, _("Launch cancelled.")),
        Status.PLANNED: (Kind.DECISION, _("Launch planned again for a new attempt.")),
    }[status]
    if reason:
        text += " " + _("Reason: %(reason)s") % {"reason": reason}
    write_log(
        author=actor,
        plan=plan,
        kind=kind,
        text=text,
        data={"from": previous, "to": status, "reason": reason},
    )
    record_event(
        "launch.status_changed",
        actor=actor,
        target=plan,
        data={"from": previous, "to": status, "reason": reason},
    )
    log.info("launch.status_changed", plan=plan.pk, to=status)
    return plan


# --- tasks -----------------------------------------------------------------------------------


def _check_task_fields(plan: LaunchPlan, *, phase, offset, offset_unit, owner, owner_team):
    if phase is None or phase.plan_id != plan.pk:
        raise ValidationError({"phase": _("Choose a phase of this launch.")})
    if offset is None:
        raise ValidationError({"offset": _("Give the offset from T0.")})
    if offset_unit and offset_unit not in UNITS:
        raise ValidationError({"offset": _("Unknown offset unit.")})
    _check_person(owner, "owner")
    if owner_team is not None and not isinstance(owner_team, Team):
        raise ValidationError({"owner_team": _("Choose a team.")})


@transaction.atomic
def launch_task_create(
    *,
    actor,
    plan: LaunchPlan,
    phase: LaunchPhase,
    title: str,
    offset: timedelta,
    offset_unit: str = "",
    description: str = "",
    owner=None,
    owner_team: Team | None = None,
) -> LaunchTask:
    require(actor, PERM_CHANGE, plan)
    _check_task_fields(
        plan,
        phase=phase,
        offset=offset,
        offset_unit=offset_unit,
        owner=owner,
        owner_team=owner_team,
    )
    task = LaunchTask(
        plan=plan,
        phase=phase,
        title=(title or "").strip(),
        description=description or "",
        offset=offset,
        offset_unit=offset_unit or "",
        owner=owner,
        owner_team=owner_team,
    )
    task.full_clean()
    task.save()
    record_event(
        "launch.task_created",
        actor=actor,
        target=task,
        data={"plan": plan.pk, "offset": task.offset_label, "title": task.title},
    )
    return task


_UNSET = object()


@transaction.atomic
def launch_task_update(
    *,
    actor,
    task: LaunchTask,
    title: str | None = None,
    description: str | None = None,
    phase: LaunchPhase | None = None,
    offset: timedelta | None = None,
    offset_unit: str | None = None,
    owner=_UNSET,
    owner_team=_UNSET,
) -> LaunchTask:
    """Change what a task is, when it is due (its offset) or who owns it."""
    require(actor, PERM_CHANGE, task.plan)
    task = LaunchTask.objects.select_for_update().select_related("plan").get(pk=task.pk)
    changed: dict = {}
    if title is not None and title.strip() != task.title:
        changed["title"] = [task.title, title.strip()]
        task.title = title.strip()
    if description is not None and description != task.description:
        changed["description"] = True
        task.description = description
    if phase is not None and phase.pk != task.phase_id:
        changed["phase"] = [task.phase_id, phase.pk]
        task.phase = phase
    if offset is not None and (offset != task.offset or (offset_unit or "") != task.offset_unit):
        changed["offset"] = [task.offset_label, format_offset(offset, offset_unit or "")]
        task.offset = offset
        task.offset_unit = offset_unit or ""
    if owner is not _UNSET and (owner.pk if owner else None) != task.owner_id:
        changed["owner"] = [task.owner_id, owner.pk if owner else None]
        task.owner = owner
    if owner_team is not _UNSET and (owner_team.pk if owner_team else None) != task.owner_team_id:
        changed["owner_team"] = [task.owner_team_id, owner_team.pk if owner_team else None]
        task.owner_team = owner_team
    _check_task_fields(
        task.plan,
        phase=task.phase,
        offset=task.offset,
        offset_unit=task.offset_unit,
        owner=task.owner,
        owner_team=task.owner_team,
    )
    if not changed:
        return task
    task.full_clean()
    task.save()
    record_event("launch.task_updated", actor=actor, target=task, data={"changed": changed})
    return task


@transaction.atomic
def launch_task_set_status(
    *, actor, task: LaunchTask, status: str, note: str | None = None
) -> LaunchTask:
    """Move a task (to do, in progress, done, blocked, skipped), recording who and when.

    Allowed to the launch's leads and to the task's owners. Blocked and skipped need a
    note. The move is written to the war-room log.
    """
    task = LaunchTask.objects.select_related("plan").get(pk=task.pk)
    if not can_set_task_status(actor, task):
        raise PermissionDenied(_("Only the launch's leads and this task's owners may do this."))
    if status not in TaskStatus.values:
        raise ValidationError({"status": _("Unknown task status.")})
    task = LaunchTask.objects.select_for_update().select_related("plan").get(pk=task.pk)
    if task.plan.status in (Status.COMPLETED, Status.CANCELLED):
        raise ValidationError(
            {
                "status": _("This launch is %(status)s; its tasks are closed.")
                % {"status": task.plan.get_status_display()}
            }
        )
    note = (note if note is not None else task.note).strip()
    if status in TASK_NOTE_REQUIRED and not note:
        raise ValidationError(
            {"note": _("Say why the task is %(status)s.") % {"status": TaskStatus(status).label}}
        )
    previous = task.status
    if status == previous and note == task.note:
        return task
    now = timezone.now()
    task.status = status
    task.note = note
    task.status_changed_by = actor
    task.status_changed_at = now
    task.full_clean()
    task.save(update_fields=["status", "note", "status_changed_by", "status_changed_at"])
    text = _("%(offset)s %(title)s: %(from)s → %(to)s by %(who)s.") % {
        "offset": task.offset_label,
        "title": task.title,
        "from": TaskStatus(previous).label,
        "to": TaskStatus(status).label,
        "who": person_label(actor),
    }
    if note:
        text += " " + _("Note: %(note)s") % {"note": note}
    write_log(
        author=actor,
        plan=task.plan,
        task=task,
        kind=Kind.EVENT,
        text=text,
        data={"from": previous, "to": status},
    )
    record_event(
        "launch.task_status_changed",
        actor=actor,
        target=task,
        data={"plan": task.plan_id, "from": previous, "to": status, "note": note[:300]},
    )
    return task


# --- rollback criteria -----------------------------------------------------------------------


@transaction.atomic
def launch_rollback_criterion_add(
    *,
    actor,
    plan: LaunchPlan,
    condition: str,
    threshold: str = "",
    action: str = "",
    decision_owner: str = "",
) -> RollbackCriterion:
    """Write down one more reason to roll back, after the existing ones."""
    require(actor, PERM_CHANGE, plan)
    plan = LaunchPlan.objects.select_for_update().get(pk=plan.pk)
    criterion = RollbackCriterion(
        plan=plan,
        position=_next_position(plan.rollback_criteria.all()),
        condition=(condition or "").strip(),
        threshold=(threshold or "").strip(),
        action=(action or "").strip(),
        decision_owner=(decision_owner or "").strip(),
    )
    criterion.full_clean()
    criterion.save()
    record_event(
        "launch.rollback_criterion_added",
        actor=actor,
        target=plan,
        data={"position": criterion.position, "condition": criterion.condition[:300]},
    )
    return criterion
