"""Running an incident: status ladder, severity, details, roles, notes, pages, merging.

Every function here checks that ``actor`` may run the incident (``require_run``), writes
inside one transaction, adds the timeline entry and the audit event. Bad input raises
``ValidationError`` naming the field; nothing is written then.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from apps.accounts.display import person_label
from apps.accounts.policy import require, token_allows
from apps.audit.writers import write_event
from apps.incidents.models import (
    PEOPLE_KINDS,
    STATUS_LADDER,
    EntryKind,
    Incident,
    IncidentRole,
    RoleAssignment,
    Severity,
    Status,
    TimelineEntry,
)
from apps.incidents.services.closing import closing_blockers
from apps.incidents.services.incidents import RUN_PERMISSION, require_run
from apps.incidents.services.timeline import timeline_append
from apps.incidents.signals import incident_status_changed

# How far ahead of the server's clock a time given by a person may be (clock skew).
CLOCK_SKEW = timedelta(minutes=1)

_UNSET: Any = object()

# The token scope that lets automation (a service account's API token) write to incidents:
# notes, status and severity changes, details. Roles, pages and merges stay with people.
WRITE_SCOPE = "incidents:write"


def require_run_or_token(actor, incident: Incident, token=None) -> None:
    """People need to be allowed to run the incident; a service account acts through its
    API token holding ``incidents:write``."""
    if token is not None:
        if not token_allows(token, WRITE_SCOPE) or token.service_account_id != getattr(
            actor, "pk", None
        ):
            raise PermissionDenied(_("You may not do this."))
        return
    require_run(actor, incident)


def _locked(incident: Incident) -> Incident:
    return (
        # Lock the incident row alone: PostgreSQL refuses FOR UPDATE on the nullable side
        # of the outer join to merged_into.
        Incident.objects.select_for_update(of=("self",))
        .select_related("severity", "owner", "merged_into")
        .get(pk=incident.pk)
    )


def _refuse_final(incident: Incident, field: str = "status") -> None:
    """Closed and merged incidents are final: nothing about them changes any more."""
    if incident.status == Status.MERGED:
        raise ValidationError(
            {
                field: _(
                    "This incident was merged into %(number)s and is final; "
                    "work on %(number)s instead."
                )
                % {"number": incident.merged_into.number if incident.merged_into else "?"}
            }
        )
    if incident.status == Status.CLOSED:
        raise ValidationError(
            {
                field: _(
                    "This incident is closed and is final. If the problem came back, "
                    "declare a new incident and mention %(number)s in it."
                )
                % {"number": incident.number}
            }
        )


def _check_not_future(value: datetime | None, field: str, now: datetime) -> None:
    if value is not None and value > now + CLOCK_SKEW:
        raise ValidationError({field: _("This time is in the future.")})


def _check_person(person, field: str = "person") -> None:
    if (
        person is None
        or not getattr(person, "pk", None)
        or not person.is_active
        or getattr(person, "is_service_account", False)
    ):
        raise ValidationError({field: _("Choose an active person (not a service account).")})


# --- status ---------------------------------------------------------------------------


def _rung(status: str) -> int:
    return STATUS_LADDER.index(status)


def _refuse_undecided_switches(incident: Incident) -> None:
    from apps.incidents.selectors.mitigation import switches_held

    undecided = [state for state in switches_held(incident) if state.pending_request is None]
    if undecided:
        names = ", ".join(
            f"{state.flag.key}"
            + (f" ({state.scope_kind}: {state.scope_value})" if state.scope_value else "")
            for state in undecided
        )
        raise ValidationError(
            {
                "status": _(
                    "This incident still holds kill switches (%(names)s). Resolve it on the "
                    "resolution screen, which asks to keep or unblock each one."
                )
                % {"names": names}
            }
        )


@transaction.atomic
def incident_set_status(
    *,
    actor,
    incident: Incident,
    status: str,
    reason: str = "",
    at: datetime | None = None,
    token=None,
    switches_decided: bool = False,
) -> Incident:
    """Move ``incident`` along investigating → identified → mitigated → resolved → closed.

    Resolving (or closing straight from an open status) an incident that still holds kill
    switches is refused: the resolution screen (``services.mitigation.incident_resolve``)
    asks, per switch, to keep it or request the unblock, and passes ``switches_decided``.

    Forward moves may skip steps (each skipped step's time is set to ``at``); a move back
    needs a ``reason`` and clears the times of the steps left. Closing asks
    ``closing_blockers`` and refuses, with every reason, while any remain. Closed and
    merged incidents are final.
    """
    require_run_or_token(actor, incident, token)
    now = timezone.now()
    at = at or now
    reason = (reason or "").strip()
    if status not in STATUS_LADDER:
        raise ValidationError({"status": _("Choose one of the steps of the status ladder.")})
    _check_not_future(at, "at", now)
    incident = _locked(incident)
    _refuse_final(incident)
    previous = incident.status
    if status == previous:
        raise ValidationError({"status": _("The incident already has this status.")})
    if at < incident.started_at:
        raise ValidationError({"at": _("This time is before the incident started.")})
    backwards = _rung(status) < _rung(previous)
    if backwards and not reason:
        raise ValidationError({"reason": _("Say why the incident goes back to an earlier status.")})
    if not switches_decided and _rung(previous) < _rung(Status.RESOLVED) <= _rung(status):
        _refuse_undecided_switches(incident)
    if status == Status.CLOSED:
        blockers = closing_blockers(incident)
        if blockers:
            raise ValidationError({"status": blockers})
    rung = _rung(status)
    if backwards:
        if rung < _rung(Status.MITIGATED):
            incident.mitigated_at = None
        if rung < _rung(Status.RESOLVED):
            incident.resolved_at = None
    else:
        if incident.acknowledged_at is None:
            incident.acknowledged_at = at
        if rung >= _rung(Status.MITIGATED) and incident.mitigated_at is None:
            incident.mitigated_at = at
        if rung >= _rung(Status.RESOLVED) and incident.resolved_at is None:
            incident.resolved_at = at
        if status == Status.CLOSED:
            incident.closed_at = at
    incident.status = status
    incident.save()
    timeline_append(
        incident,
        EntryKind.STATUS,
        body=reason,
        data={"from": previous, "to": status, "reason": reason},
        actor=actor,
        occurred_at=at,
    )
    write_event(
        "incident.status_changed",
        actor=actor,
        target=incident,
        data={"from": previous, "to": status, "reason": reason},
    )
    incident_status_changed.send(sender=Incident, incident=incident, previous=previous, actor=actor)
    return incident


# --- severity and details -------------------------------------------------------------


def _severity_of(value) -> Severity:
    if isinstance(value, Severity):
        severity = value
    else:
        severity = Severity.objects.filter(code=str(value or "")).first()
    if severity is None or not severity.is_active:
        raise ValidationError({"severity": _("Choose an active severity.")})
    return severity


@transaction.atomic
def incident_set_severity(
    *, actor, incident: Incident, severity, reason: str = "", token=None
) -> Incident:
    """Change the severity (a ``Severity`` or its code). Nothing else is recomputed here."""
    require_run_or_token(actor, incident, token)
    severity = _severity_of(severity)
    reason = (reason or "").strip()
    incident = _locked(incident)
    _refuse_final(incident, "severity")
    previous = incident.severity
    if previous.pk == severity.pk:
        raise ValidationError({"severity": _("The incident already has this severity.")})
    incident.severity = severity
    incident.save()
    timeline_append(
        incident,
        EntryKind.SEVERITY,
        body=reason,
        data={"from": previous.code, "to": severity.code, "reason": reason},
        actor=actor,
    )
    write_event(
        "incident.severity_changed",
        actor=actor,
        target=incident,
        data={"from": previous.code, "to": severity.code, "reason": reason},
    )
    return incident


def flag_action_keys() -> list[str]:
    """The actions an incident may name as affected: the flags' keys."""
    from apps.flags.models import Flag

    return list(Flag.objects.order_by("key").values_list("key", flat=True))


def clean_affected_actions(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise ValidationError({"affected_actions": _("Give a list of action keys.")})
    known = set(flag_action_keys())
    unknown = sorted({str(v) for v in values} - known)
    if unknown:
        raise ValidationError(
            {"affected_actions": _("Unknown actions: %(keys)s.") % {"keys": ", ".join(unknown)}}
        )
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


@transaction.atomic
def incident_edit(
    *,
    actor,
    incident: Incident,
    title: str = _UNSET,
    summary: str = _UNSET,
    customer_impact: str = _UNSET,
    affected_actions: list[str] = _UNSET,
    started_at: datetime = _UNSET,
    detected_at: datetime = _UNSET,
    token=None,
) -> Incident:
    """Change the incident's details; the timeline records which fields changed."""
    require_run_or_token(actor, incident, token)
    now = timezone.now()
    incident = _locked(incident)
    _refuse_final(incident, "title")
    new: dict[str, Any] = {}
    if title is not _UNSET:
        if not (title or "").strip():
            raise ValidationError({"title": _("Give the incident a title.")})
        new["title"] = title.strip()[:200]
    if summary is not _UNSET:
        new["summary"] = summary or ""
    if customer_impact is not _UNSET:
        new["customer_impact"] = customer_impact or ""
    if affected_actions is not _UNSET:
        new["affected_actions"] = clean_affected_actions(affected_actions)
    if started_at is not _UNSET:
        if started_at is None:
            raise ValidationError({"started_at": _("Say when the incident started.")})
        _check_not_future(started_at, "started_at", now)
        new["started_at"] = started_at
    if detected_at is not _UNSET:
        if detected_at is None:
            raise ValidationError({"detected_at": _("Say when the incident was detected.")})
        _check_not_future(detected_at, "detected_at", now)
        new["detected_at"] = detected_at
    started = new.get("started_at", incident.started_at)
    detected = new.get("detected_at", incident.detected_at)
    if started > detected:
        raise ValidationError(
            {"started_at": _("An incident starts before or when it is detected.")}
        )
    changed: dict[str, dict[str, Any]] = {}
    for field, value in new.items():
        old = getattr(incident, field)
        if old != value:
            changed[field] = {"from": old, "to": value}
            setattr(incident, field, value)
    if not changed:
        return incident
    incident.save()
    timeline_append(
        incident,
        EntryKind.EDIT,
        body=", ".join(str(Incident._meta.get_field(f).verbose_name) for f in changed),
        data={"changed": changed},
        actor=actor,
    )
    write_event("incident.edited", actor=actor, target=incident, data={"changed": sorted(changed)})
    return incident


# --- roles ----------------------------------------------------------------------------


def _holds_other_role(incident: Incident, person, *, except_pk: int | None = None) -> bool:
    qs = RoleAssignment.objects.filter(incident=incident, person=person, ended_at__isnull=True)
    if except_pk is not None:
        qs = qs.exclude(pk=except_pk)
    return qs.exists()


def _end(assignment: RoleAssignment, actor, now: datetime) -> None:
    assignment.ended_at = now
    assignment.ended_by = actor if getattr(actor, "pk", None) else None
    assignment.save(update_fields=["ended_at", "ended_by"])
    if not _holds_other_role(assignment.incident, assignment.person):
        remove_perm(RUN_PERMISSION, assignment.person, assignment.incident)


@transaction.atomic
def incident_assign_role(*, actor, incident: Incident, role: str, person) -> RoleAssignment:
    """Give ``role`` to ``person``; the previous holder's assignment ends. The commander
    is the incident's owner. Holders get the per-incident grant to run it."""
    require_run(actor, incident)
    if role not in IncidentRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    _check_person(person)
    now = timezone.now()
    incident = _locked(incident)
    _refuse_final(incident, "role")
    current = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(incident=incident, role=role, ended_at__isnull=True)
        .first()
    )
    if current is not None and current.person_id == person.pk:
        raise ValidationError({"person": _("This person already holds this role.")})
    if current is not None:
        current.incident = incident
        current.ended_at = now
        current.ended_by = actor if getattr(actor, "pk", None) else None
        current.save(update_fields=["ended_at", "ended_by"])
    assignment = RoleAssignment.objects.create(
        incident=incident,
        role=role,
        person=person,
        assigned_by=actor if getattr(actor, "pk", None) else None,
        assigned_at=now,
    )
    assign_perm(RUN_PERMISSION, person, incident)
    if current is not None and not _holds_other_role(incident, current.person):
        remove_perm(RUN_PERMISSION, current.person, incident)
    if role == IncidentRole.COMMANDER:
        incident.owner = person
        incident.save(update_fields=["owner", "updated_at"])
    label = IncidentRole(role).label
    timeline_append(
        incident,
        EntryKind.ROLE,
        body=_("%(person)s is now %(role)s.") % {"person": person_label(person), "role": label},
        data={
            "role": role,
            "from": current.person_id if current else None,
            "to": person.pk,
            "event": "assigned",
        },
        actor=actor,
        occurred_at=now,
    )
    write_event(
        "incident.role_assigned",
        actor=actor,
        target=incident,
        data={"role": role, "from": current.person_id if current else None, "to": person.pk},
    )
    return assignment


@transaction.atomic
def incident_end_role(*, actor, incident: Incident, role: str) -> RoleAssignment:
    """End the current holder's ``role`` (not the commander: there is always one)."""
    require_run(actor, incident)
    if role not in IncidentRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role == IncidentRole.COMMANDER:
        raise ValidationError(
            {"role": _("An incident always has a commander: assign another one instead.")}
        )
    now = timezone.now()
    incident = _locked(incident)
    _refuse_final(incident, "role")
    current = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(incident=incident, role=role, ended_at__isnull=True)
        .first()
    )
    if current is None:
        raise ValidationError({"role": _("Nobody holds this role now.")})
    current.incident = incident
    _end(current, actor, now)
    timeline_append(
        incident,
        EntryKind.ROLE,
        body=_("%(person)s is no longer %(role)s.")
        % {"person": person_label(current.person), "role": IncidentRole(role).label},
        data={"role": role, "from": current.person_id, "to": None, "event": "ended"},
        actor=actor,
        occurred_at=now,
    )
    write_event(
        "incident.role_ended",
        actor=actor,
        target=incident,
        data={"role": role, "person": current.person_id},
    )
    return current


# --- notes and decisions --------------------------------------------------------------


@transaction.atomic
def incident_add_entry(
    *,
    actor,
    incident: Incident,
    kind: str,
    body: str,
    pinned: bool = False,
    internal_only: bool = False,
    occurred_at: datetime | None = None,
    token=None,
) -> TimelineEntry:
    """A note or decision written by a person; it may tell of something earlier."""
    require_run_or_token(actor, incident, token)
    if kind not in PEOPLE_KINDS:
        raise ValidationError({"kind": _("Choose a note or a decision.")})
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something.")})
    now = timezone.now()
    _check_not_future(occurred_at, "occurred_at", now)
    incident = _locked(incident)
    _refuse_final(incident, "body")
    entry = timeline_append(
        incident,
        kind,
        body=body,
        actor=actor,
        pinned=bool(pinned),
        internal_only=bool(internal_only),
        occurred_at=min(occurred_at, now) if occurred_at else now,
    )
    write_event(
        f"incident.{kind}_added",
        actor=actor,
        target=incident,
        data={"entry": entry.pk, "pinned": entry.pinned, "internal_only": entry.internal_only},
    )
    return entry


# --- pages ----------------------------------------------------------------------------


@transaction.atomic
def incident_page_team(*, actor, incident: Incident, team, policy=None):
    """Page ``team`` (through ``policy``, default its first) about the incident."""
    from apps.oncall.services.pages import page_trigger

    require_run(actor, incident)
    if team is None:
        raise ValidationError({"team": _("Choose a team.")})
    incident = _locked(incident)
    _refuse_final(incident, "team")
    page = page_trigger(
        actor=actor,
        team=team,
        policy=policy,
        title=f"{incident.number} [{incident.severity.code}] {incident.title}"[:300],
        details=incident.summary,
        subject=incident,
    )
    if incident.team_id is None:
        incident.team = team
        incident.save(update_fields=["team", "updated_at"])
    timeline_append(
        incident,
        EntryKind.PAGE,
        body=_("Paged %(team)s.") % {"team": team.name},
        data={"page": page.pk, "team": team.pk, "policy": page.policy_id, "event": "sent"},
        actor=actor,
    )
    write_event(
        "incident.paged", actor=actor, target=incident, data={"page": page.pk, "team": team.pk}
    )
    return page


def _incident_of_page(page) -> Incident | None:
    from django.contrib.contenttypes.models import ContentType

    if not page.subject_type_id or not page.subject_id:
        return None
    if page.subject_type_id != ContentType.objects.get_for_model(Incident).pk:
        return None
    return Incident.objects.filter(pk=page.subject_id).first()


def on_page_acknowledged(sender, page, actor=None, **kwargs) -> None:
    """A page about an incident was acknowledged: timeline, and the incident's first
    acknowledgement time."""
    incident = _incident_of_page(page)
    if incident is None:
        return
    with transaction.atomic():
        incident = _locked(incident)
        timeline_append(
            incident,
            EntryKind.PAGE,
            body=_("Page acknowledged by %(who)s.") % {"who": person_label(actor)},
            data={"page": page.pk, "team": page.team_id, "event": "acknowledged"},
            actor=actor,
            occurred_at=page.acknowledged_at,
        )
        if incident.acknowledged_at is None:
            incident.acknowledged_at = page.acknowledged_at or timezone.now()
            incident.save(update_fields=["acknowledged_at", "updated_at"])


def on_page_resolved(sender, page, actor=None, **kwargs) -> None:
    incident = _incident_of_page(page)
    if incident is None:
        return
    timeline_append(
        incident,
        EntryKind.PAGE,
        body=_("Page resolved by %(who)s.") % {"who": person_label(actor)},
        data={"page": page.pk, "team": page.team_id, "event": "resolved"},
        actor=actor,
        occurred_at=page.resolved_at,
    )


# --- declaring with a page ------------------------------------------------------------


@transaction.atomic
def incident_declare_and_page(
    *, actor, page_team=None, page_policy=None, token=None, **declare_kwargs
):
    """Declare an incident and, when ``page_team`` is given, page it at once (both or
    neither). Paging is for people: a token declares without it."""
    from apps.incidents.services.incidents import incident_declare

    if page_team is not None:
        if token is not None:
            raise ValidationError({"page_team": _("Paging a team is for people.")})
        require(actor, "oncall.trigger_page")
    incident = incident_declare(actor=actor, token=token, **declare_kwargs)
    if page_team is not None:
        incident_page_team(actor=actor, incident=incident, team=page_team, policy=page_policy)
        incident.refresh_from_db()
    return incident


# --- merging --------------------------------------------------------------------------


@transaction.atomic
def incident_merge(*, actor, duplicate: Incident, into: Incident, reason: str) -> Incident:
    """Join ``duplicate`` into ``into``: its timeline is copied (never moved) into the
    target, marked as coming from the duplicate, and the duplicate becomes final."""
    require_run(actor, duplicate)
    require_run(actor, into)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why these incidents are the same.")})
    if duplicate.pk == into.pk:
        raise ValidationError({"into": _("An incident cannot be merged into itself.")})
    # Lock both in a stable order.
    first, second = sorted([duplicate.pk, into.pk])
    locked = {
        i.pk: i
        for i in Incident.objects.select_for_update(of=("self",))
        .select_related("severity", "merged_into")
        .filter(pk__in=[first, second])
        .order_by("pk")
    }
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    if into.status in (Status.MERGED, Status.CLOSED):
        raise ValidationError(
            {"into": _("Merge into an incident that is neither merged nor closed.")}
        )
    _refuse_final(duplicate, "duplicate")
    if duplicate.merged_incidents.exists():
        raise ValidationError(
            {
                "duplicate": _(
                    "Other incidents were merged into this one; merge the others into "
                    "%(number)s instead of building a chain."
                )
                % {"number": into.number}
            }
        )
    now = timezone.now()
    copies = [
        TimelineEntry(
            incident=into,
            kind=entry.kind,
            body=entry.body,
            data=entry.data,
            actor_id=entry.actor_id,
            pinned=entry.pinned,
            internal_only=entry.internal_only,
            occurred_at=entry.occurred_at,
            created_at=now,
            source_incident=duplicate,
        )
        for entry in duplicate.timeline.order_by("occurred_at", "id")
    ]
    TimelineEntry.objects.bulk_create(copies, batch_size=500)
    previous = duplicate.status
    duplicate.status = Status.MERGED
    duplicate.merged_into = into
    duplicate.save(update_fields=["status", "merged_into", "updated_at"])
    added = [a for a in duplicate.affected_actions if a not in into.affected_actions]
    if added:
        into.affected_actions = [*into.affected_actions, *added]
        into.save(update_fields=["affected_actions", "updated_at"])
    timeline_append(
        into,
        EntryKind.MERGE,
        body=reason,
        data={
            "merged": duplicate.number,
            "merged_id": duplicate.pk,
            "copied_entries": len(copies),
            "reason": reason,
        },
        actor=actor,
        occurred_at=now,
    )
    timeline_append(
        duplicate,
        EntryKind.MERGE,
        body=reason,
        data={"into": into.number, "into_id": into.pk, "from": previous, "reason": reason},
        actor=actor,
        occurred_at=now,
    )
    write_event(
        "incident.merged",
        actor=actor,
        target=duplicate,
        data={"into": into.number, "copied_entries": len(copies), "reason": reason},
    )
    return into
