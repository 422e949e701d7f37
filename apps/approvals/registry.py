"""Registry of change kinds handled by the two-person approvals engine.

Each app that wants a change to go through approvals subclasses
``ChangeHandler`` and calls ``register(MyHandler())`` (usually from its
``AppConfig.ready``). The engine (``apps.approvals.services``) only ever talks
to handlers through this interface:

- ``validate(payload)`` checks the proposed change and returns the canonical
  payload that will be stored (raise ``django.core.exceptions.ValidationError``
  with ``{field: [message]}`` on bad input);
- ``target(payload)`` names what the change touches; only one pending request
  may exist per target;
- ``current_version(target)`` is the version of the target now; it is stored
  as the request's base version and compared again at approval time (a
  mismatch ends the request as ``conflict`` and applies nothing);
- ``diff(payload)`` is a human-readable list of ``{"field", "before",
  "after"}`` rows shown to the approver (never secrets);
- ``apply(change_request=..., actor=...)`` performs the change inside the
  approval transaction and returns a JSON-able result;
- ``describe(payload)`` is a one-line summary for lists and notifications;
- ``public_payload(payload)`` (optional) is the payload as shown in pages and API
  answers: override it to mask anything secret (the stored payload is never
  shown otherwise, and it is left out of the audit log's change records);
- ``allows_bootstrap(payload=..., actor=...)`` (optional) says whether this change
  may be applied at once while fewer than two super admins exist (only the grant of
  the second super admin does; every other two-person change is refused then);
- ``check_requester(payload=..., actor=...)`` (optional) refuses a requester this change
  must not come from (raise ``ValidationError``), e.g. a role grant to oneself;
- ``people_named(payload)`` (optional) names the people who made, through another path,
  the objects the payload names (a scheduled flag change's author) or whom the change
  is about (the person a role is granted to): ``[(user_id, detail), ...]``. They are
  behind the request like its requester and may not decide it (``apps.approvals.behind``).
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_handlers: dict[str, ChangeHandler] = {}


class ChangeHandler:
    """Base class for one kind of two-person change (subclass per kind)."""

    #: e.g. "seedconfig.change", "accounts.role_change", "flags.state_change"
    kind: str = ""
    #: permission the approver needs (checked with apps.accounts.policy.can)
    approve_permission: str = "approvals.approve_change"
    #: permission the requester needs, e.g. "seedconfig.request_change"
    request_permission: str = ""
    #: subject to config-freeze windows
    freezable: bool = True
    #: API token scope that lets a service account *file* (never decide) a request of
    #: this kind, e.g. "flags:write"; empty: only people may file
    token_scope: str = ""

    def validate(self, payload: dict) -> dict:
        """Check ``payload``; return the canonical payload to store."""
        raise NotImplementedError

    def target(self, payload: dict) -> str:
        """Stable key of what the change touches (one pending request per target)."""
        raise NotImplementedError

    def current_version(self, target: str) -> str:
        """Version of ``target`` now ("" if it does not exist yet)."""
        raise NotImplementedError

    def diff(self, payload: dict) -> list[dict]:
        """Human-readable diff against the current state, without secrets."""
        raise NotImplementedError

    def apply(self, *, change_request, actor) -> dict:
        """Perform the change (runs inside the approval transaction)."""
        raise NotImplementedError

    def describe(self, payload: dict) -> str:
        """One-line summary for lists and notifications."""
        return self.kind

    def public_payload(self, payload: dict) -> dict:
        """The payload as pages and API answers show it; override to mask secrets."""
        return payload

    def allows_bootstrap(self, *, payload: dict, actor) -> bool:
        """May ``actor`` apply this change alone while fewer than two super admins exist?"""
        return False

    def check_requester(self, *, payload: dict, actor) -> None:
        """Raise ``ValidationError`` if ``actor`` must not file this change."""
        return None

    def people_named(self, payload: dict) -> list[tuple[int, str]]:
        """People behind the objects this change names, as ``(user_id, detail)``."""
        return []

    def __repr__(self) -> str:
        return f"<{type(self).__name__} kind={self.kind!r}>"


def register(handler: ChangeHandler) -> None:
    """Register ``handler`` for its kind (re-registering a kind replaces it)."""
    if not handler.kind:
        raise ValueError("ChangeHandler.kind must be set")
    if not handler.request_permission:
        raise ValueError(f"{handler.kind}: request_permission must be set")
    with _lock:
        _handlers[handler.kind] = handler


def unregister(kind: str) -> None:
    """Remove the handler for ``kind`` (used by tests)."""
    with _lock:
        _handlers.pop(kind, None)


def get_handler(kind: str) -> ChangeHandler:
    """Return the handler for ``kind``; ``KeyError`` for an unknown kind."""
    return _handlers[kind]


def registered_kinds() -> list[str]:
    """All registered kinds, sorted."""
    return sorted(_handlers)
