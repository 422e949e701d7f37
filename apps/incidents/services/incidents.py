"""Declaring an incident, and who may run one."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from apps.accounts.policy import can, require
from apps.audit.writers import write_event
from apps.incidents.models import EntryKind, Incident, IncidentRole, RoleAssignment, Severity
from apps.incidents.services.timeline import timeline_append

RUN_PERMISSION = "incidents.change_incident"


def can_run(actor, incident: Incident) -> bool:
    """May ``actor`` run (edit) ``incident``: a global grant, or a role held in it."""
    return can(actor, RUN_PERMISSION, incident)


def require_run(actor, incident: Incident) -> None:
    require(actor, RUN_PERMISSION, incident)


def format_number(year: int, sequence: int) -> str:
    return f"INC-{year}-{sequence:04d}"


def _allocate_number(now: datetime) -> tuple[int, int]:
    year = now.year
    last = Incident.objects.filter(year=year).aggregate(last=Max("sequence"))["last"] or 0
    return year, last + 1


def incident_declare(
    *,
    actor,
    title: str,
    severity: Severity,
    summary: str = "",
    owner=None,
    started_at: datetime | None = None,
    detected_at: datetime | None = None,
    affected_actions: list[str] | tuple[str, ...] = (),
    customer_impact: str = "",
    team=None,
    token=None,
) -> Incident:
    """Open an incident. ``owner`` (the commander) defaults to the person declaring it.

    ``started_at`` may be before the declaration; ``detected_at`` defaults to now and
    ``started_at`` to ``detected_at``. Paging a team is the caller's next step
    (``apps.incidents.services.lifecycle``).

    ``token``: the API token when ``actor`` is a service account (it needs the
    ``incidents:write`` scope, and must name a person as ``owner``)."""
    if token is not None:
        from apps.incidents.services.lifecycle import require_run_or_token

        require_run_or_token(actor, None, token)
        if owner is None or getattr(owner, "is_service_account", False):
            raise ValidationError({"owner": _("Name the person who commands the incident.")})
    else:
        require(actor, "incidents.add_incident")
    now = timezone.now()
    detected_at = detected_at or now
    started_at = started_at or detected_at
    owner = owner or actor
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors.setdefault("title", []).append(_("Give the incident a title."))
    if severity is None or not severity.is_active:
        errors.setdefault("severity", []).append(_("Choose an active severity."))
    if owner is None or not owner.is_active or getattr(owner, "is_service_account", False):
        errors.setdefault("owner", []).append(_("Choose an active person (not a service account)."))
    from apps.incidents.services.lifecycle import clean_affected_actions

    try:
        affected_actions = clean_affected_actions(list(affected_actions or []))
    except ValidationError as error:
        errors.update(error.message_dict)
    if started_at > detected_at:
        errors.setdefault("started_at", []).append(
            _("An incident starts before or when it is detected.")
        )
    if detected_at > now + timedelta(minutes=5):
        errors.setdefault("detected_at", []).append(_("Detection cannot be in the future."))
    if errors:
        raise ValidationError(errors)
    for attempt in range(5):
        try:
            with transaction.atomic():
                year, sequence = _allocate_number(now)
                incident = Incident(
                    number=format_number(year, sequence),
                    year=year,
                    sequence=sequence,
                    title=title.strip(),
                    summary=summary or "",
                    severity=severity,
                    affected_actions=list(affected_actions),
                    customer_impact=customer_impact or "",
                    owner=owner,
                    team=team,
                    declared_by=actor if getattr(actor, "pk", None) else None,
                    started_at=started_at,
                    detected_at=detected_at,
                    declared_at=now,
                    next_update_due_at=now + timedelta(minutes=severity.update_interval_minutes),
                )
                incident.full_clean(exclude=["number", "year", "sequence"])
                incident.save()
                RoleAssignment.objects.create(
                    incident=incident,
                    role=IncidentRole.COMMANDER,
                    person=owner,
                    assigned_by=actor if getattr(actor, "pk", None) else None,
                    assigned_at=now,
                )
                assign_perm(RUN_PERMISSION, owner, incident)
                timeline_append(
                    incident,
                    EntryKind.DECLARED,
                    body=incident.title,
                    data={
                        "severity": severity.code,
                        "owner": owner.pk,
                        "started_at": started_at,
                        "detected_at": detected_at,
                    },
                    actor=actor,
                    occurred_at=now,
                )
                write_event(
                    "incident.declared",
                    actor=actor,
                    target=incident,
                    data={"number": incident.number, "severity": severity.code},
                )
                return incident
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")
