"""Helpers of the flags API and page tests: counts of the rows a flag change
may write, and a fresh OTP code for an approver."""

from __future__ import annotations

from apps.approvals.models import ChangeRequest
from apps.audit.models import AccessLogEntry, AuditEvent, LogEntry
from apps.core.models import IdempotencyRecord
from apps.flags.models import Flag, FlagState, ScheduledFlagChange
from apps.notify.models import OutboxMessage
from tests.conftest import confirmed_totp_device, fresh_code  # noqa: F401  (shared helpers)


def row_counts() -> dict[str, int]:
    """How many rows each table a flag change could touch holds now."""
    return {
        "flags": Flag.objects.count(),
        "states": FlagState.objects.count(),
        "scheduled": ScheduledFlagChange.objects.count(),
        "change_requests": ChangeRequest.objects.count(),
        "events": AuditEvent.objects.count(),
        "auditlog": LogEntry.objects.count(),
        "access_log": AccessLogEntry.objects.count(),
        "idempotency": IdempotencyRecord.objects.count(),
        "outbox": OutboxMessage.objects.count(),
    }
