"""Asking for a customer's fund-related flag to be turned back on (user scope).

Support may freeze a customer's claims (a user-scoped block of ``claim``) but may not
unblock a fund-related flag: that needs a second person. ``flag_user_unblock_request``
lets a person holding ``flags.set_user_scope`` file the unblock of one user-scoped state
as a change request (kind ``flags.user_state``) that a super admin approves with a fresh
code, like any fund unblock. The payload, target, diff and applying are those of
``flags.state`` (``apps.flags.handlers``); only who may file differs, and only the user
scope is accepted. The target is the same as a ``flags.state`` request's, so one request
per (flag, user) can be pending whichever kind filed it.

People who may unblock the flag themselves (``flags.unblock_flag``) go through
``flag_state_set``: for a fund flag it files the ``flags.state`` request.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.policy import can
from apps.flags.handlers import FlagStateChangeHandler
from apps.flags.models import SAFE_STATES, StateSource
from apps.flags.scopes import ScopeKind
from apps.flags.services.rules import (
    PERM_USER_SCOPE,
    StateChange,
    clean_state_fields,
    current_state,
    may_set_state,
    refuse_if_current,
    resolve_flag,
)
from apps.flags.services.states import change_request_payload, flag_state_set

USER_STATE_KIND = "flags.user_state"


class UserScopeUnblockHandler(FlagStateChangeHandler):
    """``flags.state`` for one user scope, filed by whoever may set user-scoped states."""

    kind = USER_STATE_KIND
    request_permission = PERM_USER_SCOPE
    token_scope = ""

    def validate(self, payload: dict) -> dict:
        if payload.get("scope_kind") != ScopeKind.USER or payload.get("scheduled_change"):
            raise ValidationError(
                {"scope_kind": [_("Only the unblock of one user's state is filed this way.")]}
            )
        return super().validate(payload)


def flag_user_unblock_request(
    *, actor, flag, user_ref, reason, ticket="", source=StateSource.PORTAL
) -> StateChange:
    """Turn ``flag`` back on for one customer (``user_ref``), or ask for it.

    Whoever may set the risky state for the user scope (ops, super admins; support for a
    non-fund flag) goes through ``flag_state_set``: applied at once, or a ``flags.state``
    request for a fund flag. A support person asking for a fund flag files a
    ``flags.user_state`` request. Raises ``ValidationError`` (nothing to unblock, bad
    reason), ``PermissionDenied`` and ``ApprovalRefused`` (e.g. a request is pending).
    """
    flag = resolve_flag(flag)
    risky = flag.risky_state
    if may_set_state(actor, flag, risky, ScopeKind.USER):
        return flag_state_set(
            actor=actor,
            flag=flag,
            state=risky,
            reason=reason,
            scope_kind=ScopeKind.USER,
            scope_value=user_ref,
            incident_ref=ticket,
            source=source,
        )
    if getattr(actor, "is_service_account", False) or not can(actor, PERM_USER_SCOPE):
        raise PermissionDenied(_("You may not unblock or open this flag."))
    now = timezone.now()
    cleaned = clean_state_fields(
        flag,
        state=risky,
        reason=reason,
        scope_kind=ScopeKind.USER,
        scope_value=user_ref,
        incident_ref=ticket,
        until=None,
        start=now,
    )
    previous = current_state(flag, ScopeKind.USER, cleaned["scope_value"], now=now)
    if previous is None or previous.state not in SAFE_STATES:
        raise ValidationError(
            {
                "state": [
                    ValidationError(
                        _("%(flag)s is not blocked for %(user)s: nothing to unblock.")
                        % {"flag": flag.key, "user": cleaned["scope_value"]},
                        code="not_blocked",
                    )
                ]
            }
        )
    refuse_if_current(flag, cleaned, previous)
    from apps.approvals.services import change_request_create

    change_request = change_request_create(
        actor=actor,
        kind=USER_STATE_KIND,
        payload=change_request_payload(flag, cleaned, source=source),
        reason=cleaned["reason"],
        ticket=cleaned["incident_ref"],
    )
    return StateChange(applied=False, state=None, change_request=change_request)
