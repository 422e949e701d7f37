"""Is the payload about to be applied the payload that was filed (and shown)?

The SHA-256 of a request's canonical payload is stored with it and written into the
``approval.created`` audit event, whose rows are append-only and hash-chained. Before
applying, the payload is hashed again: it must match the stored hash, and the stored
hash must match the filed one (so rewriting the payload and its hash together is caught
too). Otherwise the request ends as ``tampered``: nothing is applied, the event
``approval.tampered`` is written and the super admins are told.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.approvals.canonical import payload_digest
from apps.approvals.models import ChangeRequest
from apps.approvals.notifications import notify_tampered
from apps.audit.models import AuditEvent
from apps.core.events import record_event
from apps.core.logging import get_logger

log = get_logger(__name__)


def filed_sha256(change_request: ChangeRequest) -> str | None:
    """The payload SHA-256 the audit trail recorded when the request was filed (None if
    no such record exists: then only the stored hash is checked)."""
    data = (
        AuditEvent.objects.filter(
            name="approval.created",
            target_type=ChangeRequest._meta.label_lower,
            target_id=str(change_request.pk),
        )
        .order_by("id")
        .values_list("data", flat=True)
        .first()
    )
    value = data.get("payload_sha256") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def payload_mismatch(change_request: ChangeRequest) -> dict | None:
    """None if the stored payload still hashes to the stored SHA-256 and that is the one
    recorded when the request was filed; otherwise what was found."""
    try:
        actual = payload_digest(change_request.payload)
    except ValidationError:
        actual = None  # no longer canonical JSON (e.g. a float written behind our back)
    filed = filed_sha256(change_request)
    stored = change_request.payload_sha256
    if actual == stored and (filed is None or filed == stored):
        return None
    return {"stored_sha256": stored, "payload_sha256": actual, "filed_sha256": filed}


def mark_tampered(change_request: ChangeRequest, *, actor, mismatch: dict, now) -> ChangeRequest:
    """Inside a transaction with the row locked: end the request, apply nothing."""
    change_request.status = ChangeRequest.Status.TAMPERED
    change_request.decided_at = now
    change_request.decision_comment = _(
        "The stored payload does not match the SHA-256 recorded when the request was filed; "
        "nothing was applied."
    )
    change_request.apply_result = mismatch
    change_request.save(update_fields=["status", "decided_at", "decision_comment", "apply_result"])
    record_event(
        "approval.tampered",
        actor=actor,
        target=change_request,
        data={
            "change_request": change_request.pk,
            "kind": change_request.kind,
            "target": change_request.target,
            "status": change_request.status,
            **mismatch,
        },
    )
    log.warning(
        "approval.tampered",
        change_request=change_request.pk,
        kind=change_request.kind,
        actor=actor.pk,
    )
    notify_tampered(change_request, detected_by=actor)
    return change_request
