"""Reading incidents: the list (keyset pages), one incident, its roles, severities, and
the people and teams the incident page offers."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from apps.accounts.policy import restrict
from apps.incidents.models import OPEN_STATUSES, Incident, RoleAssignment, Severity

VIEW = "incidents.view_incident"
READ_SCOPE = "incidents:read"
LIST_PAGE_SIZE = 25


class CursorInvalid(ValueError):
    """A keyset cursor that this list did not hand out."""


def incidents_visible(*, user) -> QuerySet[Incident]:
    return restrict(Incident.objects.all(), user, VIEW, scope=READ_SCOPE).select_related(
        "severity", "owner", "team", "merged_into"
    )


def incident_get(*, user, number: str) -> Incident | None:
    return incidents_visible(user=user).filter(number=number).first()


def severities(*, user, active_only: bool = False) -> QuerySet[Severity]:
    queryset = restrict(Severity.objects.all(), user, "incidents.view_severity", scope=READ_SCOPE)
    if active_only:
        queryset = queryset.filter(is_active=True)
    return queryset.order_by("rank", "code")


def severity_get(*, user, pk: int) -> Severity | None:
    return severities(user=user).filter(pk=pk).first()


def encode_cursor(incident: Incident) -> str:
    raw = f"{incident.declared_at.isoformat()}|{incident.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode()).decode()
        when_text, pk_text = raw.rsplit("|", 1)
        when = parse_datetime(when_text)
        pk = int(pk_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise CursorInvalid(_("This cursor is not one this list handed out.")) from None
    if when is None or pk < 1:
        raise CursorInvalid(_("This cursor is not one this list handed out."))
    return when, pk


@dataclass
class IncidentPage:
    items: list[Incident]
    next_cursor: str | None
    filters: dict = field(default_factory=dict)


def incidents_filtered(
    *,
    user,
    status: str = "open",
    severity: str = "",
    owner=None,
    text: str = "",
) -> QuerySet[Incident]:
    """``status``: "open" (the open steps), "all", or one status; ``severity`` a code;
    ``owner`` a person (their incidents); ``text`` in the number, title or summary."""
    queryset = incidents_visible(user=user)
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status and status != "all":
        queryset = queryset.filter(status=status)
    if severity:
        queryset = queryset.filter(severity__code=severity)
    if owner is not None:
        queryset = queryset.filter(owner=owner)
    text = (text or "").strip()
    if text:
        queryset = queryset.filter(
            Q(number__icontains=text) | Q(title__icontains=text) | Q(summary__icontains=text)
        )
    return queryset.order_by("-declared_at", "-id")


def incidents_page(
    queryset: QuerySet[Incident], *, cursor: str | None = None, size: int = LIST_PAGE_SIZE
) -> IncidentPage:
    """One keyset page (newest first) after ``cursor``: one query whatever the page."""
    if cursor:
        when, pk = decode_cursor(cursor)
        queryset = queryset.filter(Q(declared_at__lt=when) | Q(declared_at=when, id__lt=pk))
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return IncidentPage(items=rows, next_cursor=encode_cursor(rows[-1]) if more else None)


def role_history(incident: Incident) -> list[RoleAssignment]:
    """Every role assignment of the incident, current ones first, with the people."""
    return list(
        RoleAssignment.objects.filter(incident=incident)
        .select_related("person", "assigned_by", "ended_by")
        .order_by("ended_at", "-assigned_at", "-id")
    )


def assignable_people() -> QuerySet:
    """Active staff who may hold a role (not service accounts)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_service_account=False)
        .order_by("username")
    )


def pageable_teams():
    from apps.oncall.models import Team

    return Team.objects.order_by("name")


def merge_targets(incident: Incident) -> QuerySet[Incident]:
    """The incidents ``incident`` may be merged into: open or resolved, not itself, not
    merged."""
    return (
        Incident.objects.exclude(pk=incident.pk)
        .exclude(status__in=["merged", "closed"])
        .only("pk", "number", "title")
        .order_by("-declared_at", "-id")
    )


def person_by_username(username: str):
    return assignable_people().filter(username=username).first()


def team_by_slug(slug: str):
    from apps.oncall.models import Team

    return Team.objects.filter(slug=slug).first()


def policy_of_team(team, pk: int):
    return team.escalation_policies.filter(pk=pk).first()
