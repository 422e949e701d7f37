"""Schedules, rotation layers (versioned: edits apply from now on) and overrides."""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from apps.accounts.policy import require
from apps.core.events import record_event
from apps.oncall.models import (
    LayerParticipant,
    LayerVersion,
    Membership,
    Override,
    RotationLayer,
    Schedule,
    Team,
)
from apps.oncall.services.teams import LEAD_SCHEDULE_PERMS

# Fields of a layer version that an edit may change.
LAYER_FIELDS = (
    "name",
    "priority",
    "shift_kind",
    "shift_length",
    "handoff_time",
    "days_of_week",
    "start_date",
    "end_date",
)


@transaction.atomic
def schedule_create(
    *, actor, team: Team, kind: str, timezone_name: str, name: str = ""
) -> Schedule:
    require(actor, "oncall.add_schedule")
    schedule = Schedule(
        team=team,
        kind=kind,
        timezone=(timezone_name or "").strip(),
        name=(name or "").strip()
        or f"{team.name} {dict(Schedule.Kind.choices).get(kind, kind)}".strip(),
    )
    schedule.full_clean()
    schedule.save()
    lead = Team.objects.get(pk=team.pk).lead  # the current lead, whatever the caller holds
    if lead is not None:
        for perm in LEAD_SCHEDULE_PERMS:
            assign_perm(perm, lead, schedule)
    record_event(
        "schedule.created",
        actor=actor,
        target=schedule,
        data={"team": team.slug, "kind": kind, "timezone": schedule.timezone},
    )
    return schedule


@transaction.atomic
def schedule_update(
    *, actor, schedule: Schedule, name: str | None = None, timezone_name: str | None = None
) -> Schedule:
    """Rename, or move to another time zone. A new time zone applies from now on: every
    running layer gets a new version in it, and past shifts keep the old one."""
    require(actor, "oncall.change_schedule", schedule)
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    changed = {}
    if name is not None and name.strip() and name.strip() != schedule.name:
        changed["name"] = [schedule.name, name.strip()]
        schedule.name = name.strip()
    if timezone_name is not None and timezone_name.strip() != schedule.timezone:
        changed["timezone"] = [schedule.timezone, timezone_name.strip()]
        schedule.timezone = timezone_name.strip()
    schedule.full_clean()
    if not changed:
        return schedule
    schedule.save()
    if "timezone" in changed:
        for layer in schedule.layers.all():
            current = _open_version(layer)
            if current is not None:
                _replace_version(actor=actor, layer=layer, current=current, changes={})
    record_event("schedule.updated", actor=actor, target=schedule, data={"changed": changed})
    return schedule


# --- layers -----------------------------------------------------------------------------


def _check_participants(schedule: Schedule, participants: list) -> None:
    if not participants:
        raise ValidationError({"participants": _("Add at least one participant.")})
    member_ids = set(
        Membership.objects.filter(team_id=schedule.team_id).values_list("user_id", flat=True)
    )
    outsiders = [str(user) for user in participants if user.pk not in member_ids]
    if outsiders:
        raise ValidationError(
            {
                "participants": _("Not on team %(team)s: %(people)s. Add them to the team first.")
                % {"team": schedule.team.name, "people": ", ".join(outsiders)}
            }
        )


def _new_version(
    *, actor, layer: RotationLayer, fields: dict, participants: list, effective_from: datetime
) -> LayerVersion:
    errors: dict = {}
    try:
        _check_participants(layer.schedule, participants)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    version = LayerVersion(
        layer=layer,
        timezone=layer.schedule.timezone,
        effective_from=effective_from,
        created_by=actor if getattr(actor, "pk", None) else None,
        **fields,
    )
    try:
        version.full_clean()
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(
                messages if isinstance(messages, list) else [messages]
            )
    if errors:
        raise ValidationError(errors)
    version.save()
    LayerParticipant.objects.bulk_create(
        [
            LayerParticipant(version=version, user=user, position=position)
            for position, user in enumerate(participants)
        ]
    )
    return version


def _open_version(layer: RotationLayer) -> LayerVersion | None:
    from apps.oncall.selectors import layer_open_version

    return layer_open_version(layer)


def _version_fields(version: LayerVersion) -> dict:
    return {field: getattr(version, field) for field in LAYER_FIELDS}


def _replace_version(
    *, actor, layer: RotationLayer, current: LayerVersion, changes: dict, participants=None
) -> LayerVersion:
    """Close ``current`` now and start a new version with ``changes`` from now on."""
    now = timezone.now()
    fields = {**_version_fields(current), **changes}
    if participants is None:
        participants = [p.user for p in current.participants.select_related("user")]
    if current.effective_from >= now:
        # Not yet in effect: nothing was ever built on it, so it is replaced outright.
        effective_from = current.effective_from
        current.delete()
    else:
        effective_from = now
        current.effective_until = now
        current.save(update_fields=["effective_until"])
    return _new_version(
        actor=actor,
        layer=layer,
        fields=fields,
        participants=participants,
        effective_from=effective_from,
    )


def _layer_fields(
    *,
    name: str,
    priority: int,
    shift_kind: str,
    shift_length: int,
    handoff_time: time,
    days_of_week: list[int] | None,
    start_date: date,
    end_date: date | None,
) -> dict:
    return {
        "name": (name or "").strip(),
        "priority": priority,
        "shift_kind": shift_kind,
        "shift_length": shift_length,
        "handoff_time": handoff_time,
        "days_of_week": sorted(set(days_of_week)) if days_of_week is not None else list(range(7)),
        "start_date": start_date,
        "end_date": end_date,
    }


@transaction.atomic
def layer_create(
    *,
    actor,
    schedule: Schedule,
    name: str,
    shift_kind: str,
    shift_length: int,
    handoff_time: time,
    start_date: date,
    participants: list,
    priority: int = 1,
    days_of_week: list[int] | None = None,
    end_date: date | None = None,
) -> RotationLayer:
    """Add a rotation layer; it takes effect now (its shifts follow from ``start_date``)."""
    require(actor, "oncall.change_schedule", schedule)
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    layer = RotationLayer.objects.create(
        schedule=schedule, created_by=actor if getattr(actor, "pk", None) else None
    )
    fields = _layer_fields(
        name=name,
        priority=priority,
        shift_kind=shift_kind,
        shift_length=shift_length,
        handoff_time=handoff_time,
        days_of_week=days_of_week,
        start_date=start_date,
        end_date=end_date,
    )
    version = _new_version(
        actor=actor,
        layer=layer,
        fields=fields,
        participants=list(participants),
        effective_from=timezone.now(),
    )
    record_event(
        "schedule.layer_created",
        actor=actor,
        target=schedule,
        data={"layer": layer.pk, "version": version.pk, **_event_data(version)},
    )
    return layer


@transaction.atomic
def layer_update(
    *, actor, layer: RotationLayer, participants: list | None = None, **changes
) -> LayerVersion:
    """Change a layer from now on: the current version ends now, a new one starts now."""
    schedule = layer.schedule
    require(actor, "oncall.change_schedule", schedule)
    Schedule.objects.select_for_update().get(pk=schedule.pk)
    unknown = sorted(set(changes) - set(LAYER_FIELDS))
    if unknown:
        raise ValidationError(
            {"__all__": _("Unknown layer fields: %(f)s.") % {"f": ", ".join(unknown)}}
        )
    current = _open_version(layer)
    if current is None:
        raise ValidationError({"__all__": _("This layer has ended; add a new layer instead.")})
    if "days_of_week" in changes and changes["days_of_week"] is not None:
        changes["days_of_week"] = sorted(set(changes["days_of_week"]))
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
    version = _replace_version(
        actor=actor, layer=layer, current=current, changes=changes, participants=participants
    )
    record_event(
        "schedule.layer_updated",
        actor=actor,
        target=schedule,
        data={
            "layer": layer.pk,
            "version": version.pk,
            "previous_version": current.pk,
            **_event_data(version),
        },
    )
    return version


@transaction.atomic
def layer_end(*, actor, layer: RotationLayer) -> RotationLayer:
    """Stop a layer from now on; its past shifts stay."""
    schedule = layer.schedule
    require(actor, "oncall.change_schedule", schedule)
    Schedule.objects.select_for_update().get(pk=schedule.pk)
    now = timezone.now()
    ended = []
    for version in layer.versions.all():
        if version.effective_from >= now:
            ended.append(version.pk)
            version.delete()
        elif version.effective_until is None or version.effective_until > now:
            version.effective_until = now
            version.save(update_fields=["effective_until"])
            ended.append(version.pk)
    record_event(
        "schedule.layer_ended",
        actor=actor,
        target=schedule,
        data={"layer": layer.pk, "versions": ended},
    )
    return layer


def _event_data(version: LayerVersion) -> dict:
    return {
        "name": version.name,
        "priority": version.priority,
        "shift": f"{version.shift_length} {version.shift_kind}",
        "handoff": version.handoff_time.strftime("%H:%M"),
        "days": version.days_of_week,
        "start_date": version.start_date.isoformat(),
        "end_date": version.end_date.isoformat() if version.end_date else None,
        "timezone": version.timezone,
        "participants": [p.user_id for p in version.participants.all()],
        "effective_from": version.effective_from.isoformat(),
    }


# --- overrides --------------------------------------------------------------------------


@transaction.atomic
def override_create(
    *, actor, schedule: Schedule, user, start: datetime, end: datetime, reason: str = ""
) -> Override:
    """``user`` covers ``schedule`` from ``start`` to ``end``.

    The past is not rewritten: an override cannot end in the past, and one that starts in
    the past starts now.
    """
    require(actor, "oncall.change_schedule", schedule)
    errors: dict = {}
    if start is None:
        errors["start"] = _("Enter when the override starts.")
    if end is None:
        errors["end"] = _("Enter when the override ends.")
    if errors:
        raise ValidationError(errors)
    if end <= start:
        raise ValidationError({"end": _("The override must end after it starts.")})
    now = timezone.now()
    if end <= now:
        raise ValidationError({"end": _("An override cannot end in the past.")})
    if user is None or not Membership.objects.filter(team_id=schedule.team_id, user=user).exists():
        raise ValidationError(
            {
                "user": _("%(user)s is not on team %(team)s.")
                % {"user": user, "team": schedule.team.name}
            }
        )
    override = Override(
        schedule=schedule,
        user=user,
        start=max(start, now),
        end=end,
        reason=(reason or "").strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    override.full_clean()
    override.save()
    record_event(
        "schedule.override_created",
        actor=actor,
        target=schedule,
        data={
            "override": override.pk,
            "user": user.pk,
            "start": override.start.isoformat(),
            "end": override.end.isoformat(),
            "reason": override.reason,
        },
    )
    return override


@transaction.atomic
def override_cancel(*, actor, override: Override) -> Override:
    """Stop an override from now on (one not started yet never counts)."""
    require(actor, "oncall.change_schedule", override.schedule)
    override = Override.objects.select_for_update().get(pk=override.pk)
    now = timezone.now()
    if override.cancelled_at is not None:
        return override
    if override.end <= now:
        raise ValidationError({"__all__": _("This override is already over.")})
    override.cancelled_at = now
    override.cancelled_by = actor if getattr(actor, "pk", None) else None
    override.save(update_fields=["cancelled_at", "cancelled_by"])
    record_event(
        "schedule.override_cancelled",
        actor=actor,
        target=override.schedule,
        data={"override": override.pk, "user": override.user_id},
    )
    return override
