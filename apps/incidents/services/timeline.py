"""Writing the append-only incident timeline."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from apps.incidents.models import EntryKind, Incident, TimelineEntry


def _json_safe(data: dict[str, Any] | None) -> dict[str, Any]:
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


def timeline_append(
    incident: Incident,
    kind: str,
    *,
    body: str = "",
    data: dict[str, Any] | None = None,
    actor=None,
    pinned: bool = False,
    internal_only: bool = False,
    occurred_at: datetime | None = None,
    source_incident: Incident | None = None,
) -> TimelineEntry:
    """Add one entry to ``incident``'s timeline (no permission check: callers are services
    that made theirs). Runs inside the caller's transaction."""
    if kind not in EntryKind.values:
        raise ValueError(f"Unknown timeline entry kind {kind!r}.")
    now = timezone.now()
    return TimelineEntry.objects.create(
        incident=incident,
        kind=kind,
        body=body or "",
        data=_json_safe(data),
        actor=actor
        if getattr(actor, "pk", None) and not getattr(actor, "is_anonymous", False)
        else None,
        pinned=pinned,
        internal_only=internal_only,
        occurred_at=occurred_at or now,
        created_at=now,
        source_incident=source_incident,
    )
