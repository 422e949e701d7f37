"""Escalation policies and their ordered steps."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from apps.accounts.policy import require
from apps.core.events import record_event
from apps.oncall.models import EscalationPolicy, EscalationStep, Schedule, Team
from apps.oncall.services.teams import LEAD_POLICY_PERMS

Kind = EscalationStep.Kind
STEP_KEYS = {"kind", "label", "schedule", "user", "wait_minutes", "repeat_from", "repeat_times"}


def _resolve(model, value, field: str, errors: list, position: int):
    if value is None or value == "" or isinstance(value, model):
        return value or None
    try:
        return model.objects.get(pk=int(value))
    except (ValueError, TypeError, model.DoesNotExist):
        errors.append(
            _("Step %(n)s: unknown %(field)s '%(value)s'.")
            % {"n": position, "field": field, "value": value}
        )
        return None


def _build_steps(policy: EscalationPolicy, steps: list[dict]) -> list[EscalationStep]:
    """Turn step dicts into unsaved steps; every problem is reported, named by position."""
    if not isinstance(steps, list) or not steps:
        raise ValidationError({"steps": [_("A policy needs at least one step.")]})
    errors: list[str] = []
    built: list[EscalationStep] = []
    user_model = get_user_model()
    for position, raw in enumerate(steps, start=1):
        if not isinstance(raw, dict):
            errors.append(_("Step %(n)s: expected an object.") % {"n": position})
            continue
        unknown = sorted(set(raw) - STEP_KEYS)
        if unknown:
            errors.append(
                _("Step %(n)s: unknown fields %(f)s.") % {"n": position, "f": ", ".join(unknown)}
            )
        kind = raw.get("kind")
        if kind not in Kind.values:
            errors.append(
                _("Step %(n)s: choose one of %(kinds)s.")
                % {"n": position, "kinds": ", ".join(Kind.values)}
            )
            continue
        step = EscalationStep(
            policy=policy,
            position=position,
            kind=kind,
            label=(raw.get("label") or "").strip()[:100],
            schedule=_resolve(Schedule, raw.get("schedule"), "schedule", errors, position)
            if kind == Kind.NOTIFY_SCHEDULE
            else None,
            user=_resolve(user_model, raw.get("user"), "person", errors, position)
            if kind == Kind.NOTIFY_USER
            else None,
            wait_minutes=raw.get("wait_minutes") if kind == Kind.WAIT else None,
            repeat_from=raw.get("repeat_from") if kind == Kind.REPEAT else None,
            repeat_times=raw.get("repeat_times") if kind == Kind.REPEAT else None,
        )
        errors.extend(_check_step(step))
        built.append(step)
    if sum(1 for s in built if s.kind == Kind.REPEAT) > 1:
        errors.append(_("A policy may repeat only once (one repeat step)."))
    if built and all(s.kind in (Kind.WAIT, Kind.REPEAT) for s in built):
        errors.append(_("A policy must notify someone."))
    if errors:
        raise ValidationError({"steps": errors})
    return built


def _check_step(step: EscalationStep) -> list[str]:
    n = step.position
    if step.kind == Kind.WAIT:
        minutes = step.wait_minutes
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 1440:
            return [
                _(
                    "Step %(n)s: a wait lasts from 1 minute to 24 hours (1440 minutes); "
                    "'%(value)s' is not allowed."
                )
                % {"n": n, "value": minutes}
            ]
    if step.kind == Kind.NOTIFY_SCHEDULE and step.schedule is None:
        return [_("Step %(n)s: choose the schedule whose on-call person is told.") % {"n": n}]
    if step.kind == Kind.NOTIFY_USER:
        if step.user is None:
            return [_("Step %(n)s: choose the person to notify.") % {"n": n}]
        if not step.user.is_active or step.user.is_service_account:
            return [
                _("Step %(n)s: %(user)s cannot be notified (inactive or a service account).")
                % {"n": n, "user": step.user}
            ]
    if step.kind == Kind.REPEAT:
        start, times = step.repeat_from, step.repeat_times
        if not isinstance(start, int) or isinstance(start, bool) or not 1 <= start < n:
            return [
                _("Step %(n)s: repeat from an earlier step (1 to %(max)s).")
                % {"n": n, "max": n - 1}
            ]
        if not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= 10:
            return [_("Step %(n)s: repeat 1 to 10 times.") % {"n": n}]
    return []


def _save_steps(policy: EscalationPolicy, built: list[EscalationStep]) -> None:
    policy.steps.all().delete()
    for step in built:
        step.policy = policy
        step.full_clean()
        step.save()


def _steps_data(policy: EscalationPolicy) -> list[dict]:
    return [step_snapshot(step) for step in policy.steps.select_related("schedule", "user")]


def step_snapshot(step: EscalationStep) -> dict:
    """A step as a page keeps it: ids and the names they had when the page started."""
    return {
        "position": step.position,
        "kind": step.kind,
        "label": step.label,
        "schedule_id": step.schedule_id,
        "schedule_name": str(step.schedule) if step.schedule_id else None,
        "user_id": step.user_id,
        "user_name": str(step.user) if step.user_id else None,
        "wait_minutes": step.wait_minutes,
        "repeat_from": step.repeat_from,
        "repeat_times": step.repeat_times,
    }


@transaction.atomic
def policy_create(
    *, actor, team: Team, name: str, steps: list[dict], description: str = ""
) -> EscalationPolicy:
    require(actor, "oncall.add_escalationpolicy")
    policy = EscalationPolicy(team=team, name=(name or "").strip(), description=description or "")
    errors = {}
    try:
        policy.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        built = _build_steps(policy, steps)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    policy.save()
    _save_steps(policy, built)
    lead = Team.objects.get(pk=team.pk).lead  # the current lead, whatever the caller holds
    if lead is not None:
        for perm in LEAD_POLICY_PERMS:
            assign_perm(perm, lead, policy)
    record_event(
        "escalation_policy.created",
        actor=actor,
        target=policy,
        data={"team": team.slug, "steps": _steps_data(policy)},
    )
    return policy


@transaction.atomic
def policy_update(
    *,
    actor,
    policy: EscalationPolicy,
    name: str | None = None,
    description: str | None = None,
    steps: list[dict] | None = None,
) -> EscalationPolicy:
    """Change a policy; ``steps`` replaces all steps. Running pages keep their snapshot."""
    require(actor, "oncall.change_escalationpolicy", policy)
    policy = EscalationPolicy.objects.select_for_update().get(pk=policy.pk)
    before = _steps_data(policy)
    if name is not None:
        policy.name = name.strip()
    if description is not None:
        policy.description = description
    errors = {}
    try:
        policy.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    built = None
    if steps is not None:
        try:
            built = _build_steps(policy, steps)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    policy.save()
    if built is not None:
        _save_steps(policy, built)
    record_event(
        "escalation_policy.updated",
        actor=actor,
        target=policy,
        data={"name": policy.name, "steps_before": before, "steps_after": _steps_data(policy)},
    )
    return policy


LAUNCH_CHAIN_NAME = "Launch escalation (L1–L4)"
LAUNCH_CHAIN_DESCRIPTION = "L1 on-call 30 min → L2 backup and lead 1 h → L3 architect 2 h → L4 CTO"


def launch_chain_steps(*, team: Team, architect, cto) -> list[dict]:
    """The launch runbook's escalation matrix as steps: L1 on-call (30 min) → L2 backup
    and lead (1 h) → L3 architect (2 h) → L4 CTO."""
    primary = team.schedules.filter(kind=Schedule.Kind.PRIMARY).first()
    backup = team.schedules.filter(kind=Schedule.Kind.BACKUP).first()
    steps: list[dict] = []
    if primary is not None:
        steps.append({"kind": Kind.NOTIFY_SCHEDULE, "schedule": primary.pk, "label": "L1 on-call"})
    else:
        steps.append({"kind": Kind.NOTIFY_TEAM_LEAD, "label": "L1 on-call"})
    steps.append({"kind": Kind.WAIT, "wait_minutes": 30})
    if backup is not None:
        steps.append({"kind": Kind.NOTIFY_SCHEDULE, "schedule": backup.pk, "label": "L2 backup"})
    steps.append({"kind": Kind.NOTIFY_TEAM_LEAD, "label": "L2 team lead"})
    steps.append({"kind": Kind.WAIT, "wait_minutes": 60})
    steps.append({"kind": Kind.NOTIFY_USER, "user": architect.pk, "label": "L3 architect"})
    steps.append({"kind": Kind.WAIT, "wait_minutes": 120})
    steps.append({"kind": Kind.NOTIFY_USER, "user": cto.pk, "label": "L4 CTO"})
    return steps


@transaction.atomic
def policy_create_launch_chain(*, actor, team: Team, architect, cto) -> EscalationPolicy:
    """The runbook's escalation matrix as a policy of ``team`` (see launch_chain_steps)."""
    return policy_create(
        actor=actor,
        team=team,
        name=LAUNCH_CHAIN_NAME,
        description=LAUNCH_CHAIN_DESCRIPTION,
        steps=launch_chain_steps(team=team, architect=architect, cto=cto),
    )
