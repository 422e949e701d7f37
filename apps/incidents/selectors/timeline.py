"""Reading an incident's timeline, and exporting it as Markdown and JSON."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.display import person_label
from apps.incidents.models import PEOPLE_KINDS, EntryKind, Incident, TimelineEntry

# Page filters of the timeline: everything, people's entries, automatic ones, pinned.
TIMELINE_FILTERS = ("all", "people", "automatic", "pinned")


def timeline_entries(incident: Incident, *, show: str = "all") -> QuerySet[TimelineEntry]:
    """The incident's entries in time order (pinned only, people's, automatic, all)."""
    queryset = TimelineEntry.objects.filter(incident=incident).select_related(
        "actor", "source_incident"
    )
    if show == "people":
        queryset = queryset.filter(kind__in=PEOPLE_KINDS)
    elif show == "automatic":
        queryset = queryset.exclude(kind__in=PEOPLE_KINDS)
    elif show == "pinned":
        queryset = queryset.filter(pinned=True)
    return queryset.order_by("occurred_at", "id")


def pinned_entries(incident: Incident) -> list[TimelineEntry]:
    return list(timeline_entries(incident, show="pinned"))


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def entry_json(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "occurred_at": _iso(entry.occurred_at),
        "created_at": _iso(entry.created_at),
        "actor": entry.actor.username if entry.actor_id else None,
        "body": entry.body,
        "pinned": entry.pinned,
        "internal_only": entry.internal_only,
        "data": entry.data,
        "source_incident": entry.source_incident.number if entry.source_incident_id else None,
    }


def incident_json(incident: Incident) -> dict[str, Any]:
    return {
        "number": incident.number,
        "title": incident.title,
        "severity": incident.severity.code,
        "status": incident.status,
        "owner": incident.owner.username,
        "summary": incident.summary,
        "customer_impact": incident.customer_impact,
        "affected_actions": list(incident.affected_actions),
        "merged_into": incident.merged_into.number if incident.merged_into_id else None,
        "started_at": _iso(incident.started_at),
        "detected_at": _iso(incident.detected_at),
        "declared_at": _iso(incident.declared_at),
        "acknowledged_at": _iso(incident.acknowledged_at),
        "mitigated_at": _iso(incident.mitigated_at),
        "resolved_at": _iso(incident.resolved_at),
        "closed_at": _iso(incident.closed_at),
    }


def timeline_json(incident: Incident) -> dict[str, Any]:
    """The incident and its whole timeline, as plain JSON types."""
    return {
        "incident": incident_json(incident),
        "exported_at": _iso(timezone.now()),
        "entries": [entry_json(entry) for entry in timeline_entries(incident)],
    }


def _md_line(text: str) -> str:
    return " ".join((text or "").split())


def timeline_markdown(incident: Incident) -> str:
    """The timeline as a Markdown document (times in UTC), internal-only entries marked."""
    labels = dict(EntryKind.choices)
    lines = [
        f"# {incident.number}: {_md_line(incident.title)}",
        "",
        "- " + _("Severity") + f": {incident.severity.code} ({incident.severity.name})",
        "- " + _("Status") + f": {incident.get_status_display()}",
        "- " + _("Commander") + f": {person_label(incident.owner)}",
        "- " + _("Started") + f": {_fmt(incident.started_at)}",
        "- " + _("Detected") + f": {_fmt(incident.detected_at)}",
        "- " + _("Declared") + f": {_fmt(incident.declared_at)}",
    ]
    for label, value in (
        (_("Acknowledged"), incident.acknowledged_at),
        (_("Mitigated"), incident.mitigated_at),
        (_("Resolved"), incident.resolved_at),
        (_("Closed"), incident.closed_at),
    ):
        if value:
            lines.append(f"- {label}: {_fmt(value)}")
    if incident.merged_into_id:
        lines.append("- " + _("Merged into") + f": {incident.merged_into.number}")
    lines += ["", "## " + _("Timeline (UTC)"), ""]
    for entry in timeline_entries(incident):
        marks = []
        if entry.pinned:
            marks.append(_("pinned"))
        if entry.internal_only:
            marks.append(_("internal only"))
        if entry.source_incident_id:
            marks.append(_("from %(number)s") % {"number": entry.source_incident.number})
        mark = f" _({', '.join(marks)})_" if marks else ""
        who = f" — {entry.actor.username}" if entry.actor_id else ""
        body = _md_line(entry.body) or _md_line(_summary(entry))
        lines.append(
            f"- **{_fmt(entry.occurred_at)}** [{labels.get(entry.kind, entry.kind)}]"
            f"{who}{mark}: {body}"
        )
    return "\n".join(lines) + "\n"


def _fmt(value) -> str:
    return value.astimezone(timezone.get_fixed_timezone(0)).strftime("%Y-%m-%d %H:%M:%S")


def _summary(entry: TimelineEntry) -> str:
    data = entry.data or {}
    if "from" in data and "to" in data:
        return f"{data['from']} → {data['to']}"
    return ", ".join(f"{k}={v}" for k, v in sorted(data.items()) if not isinstance(v, dict))
