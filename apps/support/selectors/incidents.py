"""Open incidents on the platform actions a customer uses.

Every staff member sees every incident, so the customer page lists them without a further
check. Open incidents are few; they are read in one query (newest first, at most
``OPEN_LIMIT``) and matched on their affected actions here, which works the same on SQLite
and PostgreSQL.
"""

from __future__ import annotations

from apps.incidents.models import OPEN_STATUSES, Incident

OPEN_LIMIT = 200


def open_incidents_for_actions(*, user, actions) -> list[Incident]:
    """Open incidents whose affected actions include any of ``actions``, most severe first."""
    wanted = set(actions)
    rows = (
        Incident.objects.filter(status__in=OPEN_STATUSES)
        .select_related("severity")
        .only(
            "number",
            "title",
            "status",
            "affected_actions",
            "declared_at",
            "severity__code",
            "severity__rank",
            "severity__name",
        )
        .order_by("-declared_at", "-id")[:OPEN_LIMIT]
    )
    matched = [row for row in rows if wanted.intersection(row.affected_actions or ())]
    return sorted(matched, key=lambda row: (row.severity.rank, -row.declared_at.timestamp()))
