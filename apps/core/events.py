"""Domain events and sensitive-read records, written by any app, stored by apps.audit.

Core imports no app, so the audit app registers the writers at start-up. Writing is part
of the caller's transaction. If nothing is registered the call fails: an audited action
must never succeed silently without its record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_event_writer: Callable[..., Any] | None = None
_access_writer: Callable[..., Any] | None = None


def register_writers(*, event: Callable[..., Any], access: Callable[..., Any]) -> None:
    global _event_writer, _access_writer
    _event_writer, _access_writer = event, access


def record_event(
    name: str,
    *,
    actor=None,
    target=None,
    data: dict[str, Any] | None = None,
) -> Any:
    """Record a domain event such as ``account.role_granted`` in the audit trail.

    ``actor`` defaults to the current request's or task's actor; ``target`` is any model
    instance (stored as content type + pk + text).
    """
    if _event_writer is None:
        raise RuntimeError("No audit event writer is registered (is apps.audit installed?).")
    return _event_writer(name, actor=actor, target=target, data=data or {})


def record_access(
    *,
    subject,
    reason: str,
    ticket: str = "",
    actor=None,
    what: str = "view",
) -> Any:
    """Record a sensitive read (opening a customer, revealing PII, exporting)."""
    if _access_writer is None:
        raise RuntimeError("No access log writer is registered (is apps.audit installed?).")
    return _access_writer(subject=subject, reason=reason, ticket=ticket, actor=actor, what=what)
