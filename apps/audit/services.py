"""Writes of the audit app itself: recording exports of the trail, publishing anchors."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.anchors import Anchor, current_anchors
from apps.audit.models import CHAINED_MODELS, AccessLogEntry
from apps.core.channel_messages import send_to_channel
from apps.core.events import record_access, record_event
from apps.core.logging import get_logger

log = get_logger(__name__)


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


@transaction.atomic
def chain_anchors_publish() -> list[Anchor]:
    """Write every chain head (an anchor) to the log and to ``AUDIT_ANCHOR_CHANNEL``.

    The log gets an ``audit.anchor`` line per chain on every run. The channel, when one is
    configured, gets one message per new set of heads (de-duplicated by their hashes, so
    a quiet trail does not repeat itself); a configured channel that does not exist or is
    disabled is logged as an error. Nothing is added to the audit trail: an anchor that
    appended a row would move the head it reports.
    """
    anchors = current_anchors()
    taken_at = timezone.now()
    for anchor in anchors:
        log.info(
            "audit.anchor",
            chain=anchor.chain,
            last_id=anchor.last_id,
            last_hash=anchor.last_hash,
            taken_at=taken_at.isoformat(),
        )
    channel_name = settings.AUDIT_ANCHOR_CHANNEL
    if not channel_name:
        return anchors
    lines = "\n".join(anchor.inline for anchor in anchors)
    digest = hashlib.sha256(lines.encode("utf-8")).hexdigest()
    message = send_to_channel(
        channel_name,
        subject=_("Audit chain anchor"),
        body=_(
            "The audit trail's chain heads at %(time)s UTC. Keep this message outside the "
            'portal: "manage.py audit_verify --anchor <line>" proves the trail still '
            "holds each of these rows unchanged."
        )
        % {"time": taken_at.strftime("%Y-%m-%d %H:%M:%S")}
        + "\n\n"
        + lines,
        payload={
            "taken_at": taken_at.isoformat(),
            "anchors": [
                {"chain": a.chain, "last_id": a.last_id, "last_hash": a.last_hash} for a in anchors
            ],
        },
        event="audit.anchor",
        dedupe_key=f"audit.anchor:{digest[:48]}",
    )
    if message is None:
        log.error("audit.anchor_channel_unavailable", channel=channel_name)
    return anchors
