"""Writes of the audit app itself: recording that someone exported the trail."""

from __future__ import annotations

from django.db import transaction

from apps.audit.models import CHAINED_MODELS, AccessLogEntry
from apps.core.events import record_access, record_event


@transaction.atomic
def trail_export_record(
    *,
    actor,
    kind: str,
    export_format: str,
    filters: dict[str, str],
    reason: str,
    ticket: str = "",
    row_count: int,
) -> AccessLogEntry:
    """Log an export of the audit trail as an access record and an ``audit.exported`` event.

    Written, and committed, before the first byte of the export is sent.
    """
    summary = ", ".join(f"{key}={value}" for key, value in sorted(filters.items()))
    label = CHAINED_MODELS[kind]._meta.label_lower
    entry = record_access(
        subject=(label, "*", f"{kind} ({summary or 'all'})"[:300]),
        reason=reason,
        ticket=ticket,
        actor=actor,
        what="export",
    )
    record_event(
        "audit.exported",
        actor=actor,
        target=entry,
        data={
            "kind": kind,
            "format": export_format,
            "filters": filters,
            "rows": row_count,
        },
    )
    return entry
