"""Asking for the unblock of a customer that one may block but not unblock."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.policy import can
from apps.core.logging import get_logger
from apps.flags.handlers import UNBLOCK_REQUEST_KIND
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

log = get_logger(__name__)


def flag_unblock_request(
    *, actor, flag, scope_value, reason, incident_ref="", source="portal"
) -> StateChange:
    """Lift a user-scoped block (close) of ``flag`` for one customer, or ask for it.

    Whoever may unblock that scope does it the usual way (``flag_state_set``: applied at
    once, or a ``flags.state`` change request for a fund-related flag). Someone who may
    only set user-scoped states (support) files a ``flags.unblock_request`` change request
    that a super admin approves; nothing changes until then. Raises ``ValidationError``
    (nothing to unblock, bad input), ``PermissionDenied``, and ``ApprovalRefused`` from
    filing (a request already pending for this customer, two super admins needed).
    """
    flag = resolve_flag(flag)
    state = flag.risky_state
    if may_set_state(actor, flag, state, ScopeKind.USER):
        return flag_state_set(
            actor=actor,
            flag=flag,
            state=state,
            reason=reason,
            scope_kind=ScopeKind.USER,
            scope_value=scope_value,
            incident_ref=incident_ref,
            source=source,
        )
    if getattr(actor, "is_service_account", False) or not can(actor, PERM_USER_SCOPE):
        raise PermissionDenied(_("You may not ask for this flag to be unblocked."))
    now = timezone.now()
    cleaned = clean_state_fields(
        flag,
        state=state,
        reason=reason,
        scope_kind=ScopeKind.USER,
        scope_value=scope_value,
        incident_ref=incident_ref,
        until=None,
        start=now,
        start_field=_("now"),
    )
    refuse_if_current(flag, cleaned, current_state(flag, ScopeKind.USER, cleaned["scope_value"]))

    from apps.approvals.services import change_request_create

    change_request = change_request_create(
        actor=actor,
        kind=UNBLOCK_REQUEST_KIND,
        payload=change_request_payload(flag, cleaned, source=source),
        reason=cleaned["reason"],
        ticket=cleaned["incident_ref"],
    )
    log.info(
        "flag.unblock_requested",
        flag=flag.key,
        scope=f"user={cleaned['scope_value']}",
        change_request=change_request.pk,
        actor=actor.pk,
    )
    return StateChange(applied=False, state=None, change_request=change_request)
