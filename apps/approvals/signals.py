"""Signals of the approvals app, for apps above it (the incidents timeline).

``change_request_changed(sender=ChangeRequest, change_request, action, actor)`` is sent
after the transaction that filed or ended the request commits. ``action`` is one of
``ACTIONS``: ``created`` (filed), ``applied`` (approved and applied, or applied at once as
a bootstrap), ``rejected``, ``cancelled``, ``expired``, ``conflict`` and ``tampered``.
``actor`` is who did it (``None`` for an expiry). Receivers must not raise: the change is
already committed.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

change_request_changed = Signal()

ACTIONS = ("created", "applied", "rejected", "cancelled", "expired", "conflict", "tampered")


def announce(change_request, action: str, actor=None) -> None:
    """Send ``change_request_changed`` once the current transaction commits."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown change request action {action!r}.")

    def send() -> None:
        change_request_changed.send_robust(
            sender=type(change_request),
            change_request=change_request,
            action=action,
            actor=actor,
        )

    transaction.on_commit(send, robust=True)
