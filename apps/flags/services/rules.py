"""What a flag change may be and who may make it: validation, permissions, the state
in force (see the package doc for the rules)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.policy import can, token_allows
from apps.core.bounds import validate_date_in_range
from apps.core.logging import get_logger
from apps.flags.models import (
    KIND_STATES,
    SAFE_STATES,
    Flag,
    FlagKind,
    FlagState,
    StateSource,
    StateValue,
)
from apps.flags.scopes import ScopeKind, normalize_scope_value

log = get_logger(__name__)

KIND = "flags.state"
TOKEN_SCOPE = "flags:write"
MAX_REASON = 2000
MAX_INCIDENT = 64
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Sources a caller may name; ``schedule`` and ``approval`` are set by this module.
CALLER_SOURCES = (StateSource.PORTAL, StateSource.API, StateSource.ADMIN)

PERM_ADD = "flags.add_flag"
PERM_BLOCK = "flags.block_flag"
PERM_UNBLOCK = "flags.unblock_flag"
PERM_USER_SCOPE = "flags.set_user_scope"
PERM_SCHEDULE = "flags.schedule_change"
PERM_SUBSCRIBE = "notify.manage_channel"

# Webhook / outbox event names.
EVENT_STATE_CHANGED = "flag.state_changed"
EVENT_BLOCK_LIFTED = "flag.block_lifted"
EVENT_STATE_ENDED = "flag.state_ended"

_VERBS = {
    StateValue.BLOCKED: "blocked",
    StateValue.ALLOWED: "unblocked",
    StateValue.OPEN: "opened",
    StateValue.CLOSED: "closed",
}


class StateChange(NamedTuple):
    """What ``flag_state_set`` did: applied a state, or filed a change request."""

    applied: bool
    state: FlagState | None
    change_request: object | None


# --- validation -----------------------------------------------------------------------


def resolve_flag(flag) -> Flag:
    if isinstance(flag, Flag):
        return flag
    found = Flag.objects.filter(key=str(flag or "")).first()
    if found is None:
        raise ValidationError(
            {"flag": [ValidationError(_("No flag '%(key)s'.") % {"key": flag}, code="unknown")]}
        )
    return found


def clean_text(value, *, field: str, required: bool, limit: int, errors: dict) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        errors[field] = [_("Give this as text.")]
        return ""
    if required and not text:
        errors[field] = [ValidationError(_("A reason is required."), code="required")]
    elif len(text) > limit:
        errors[field] = [_("At most %(n)d characters.") % {"n": limit}]
    return text


def clean_incident(value, errors: dict) -> str:
    text = clean_text(
        value, field="incident_ref", required=False, limit=MAX_INCIDENT, errors=errors
    )
    if text and _CONTROL.search(text):
        errors["incident_ref"] = [_("An incident reference is one line, e.g. INC-42.")]
    return text


def clean_moment(value, field: str, errors: dict) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, datetime):
        errors[field] = [_("Give a date and time.")]
        return None
    if timezone.is_naive(value):
        errors[field] = [_("Give the time with its timezone (e.g. 2025-01-31T12:00:00Z).")]
        return None
    try:
        validate_date_in_range(value)
    except ValidationError as error:
        errors[field] = list(error.messages)
        return None
    return value


def clean_state_fields(
    flag: Flag,
    *,
    state,
    reason,
    scope_kind,
    scope_value,
    incident_ref,
    until,
    start: datetime,
    start_field: str = "",
    errors: dict | None = None,
) -> dict:
    """Validate what a state (now or scheduled) would be; raise one ValidationError with
    every field's messages, or return the cleaned values."""
    errors = {} if errors is None else errors
    allowed_states = KIND_STATES.get(flag.kind, ())
    if state not in allowed_states:
        errors["state"] = [
            ValidationError(
                _("%(flag)s is a %(kind)s: choose %(states)s.")
                % {
                    "flag": flag.key,
                    "kind": FlagKind(flag.kind).label.lower(),
                    "states": _(" or ").join(str(s) for s in allowed_states),
                },
                code="invalid_state",
            )
        ]
    scope_kind = scope_kind or ScopeKind.GLOBAL
    value = ""
    if scope_kind not in ScopeKind.values:
        errors["scope_kind"] = [
            _("Unknown scope '%(scope)s'; use %(scopes)s.")
            % {"scope": scope_kind, "scopes": ", ".join(ScopeKind.values)}
        ]
    elif not flag.accepts_scope(scope_kind):
        errors["scope_kind"] = [
            ValidationError(
                _("%(flag)s does not accept the %(scope)s scope; it accepts %(scopes)s.")
                % {
                    "flag": flag.key,
                    "scope": scope_kind,
                    "scopes": ", ".join(flag.accepted_scopes),
                },
                code="scope_not_accepted",
            )
        ]
    else:
        try:
            value = normalize_scope_value(scope_kind, scope_value)
        except ValueError as exc:
            errors["scope_value"] = [ValidationError(str(exc), code="invalid_scope_value")]
    reason = clean_text(reason, field="reason", required=True, limit=MAX_REASON, errors=errors)
    incident_ref = clean_incident(incident_ref, errors)
    until = clean_moment(until, "until", errors)
    if until is not None and until <= start:
        errors["until"] = [
            ValidationError(
                _("The end must be after the start (%(start)s).")
                % {"start": start_field or start.isoformat(timespec="seconds")},
                code="until_before_start",
            )
        ]
    if errors:
        raise ValidationError(errors)
    return {
        "state": state,
        "reason": reason,
        "scope_kind": scope_kind,
        "scope_value": value,
        "incident_ref": incident_ref,
        "until": until,
    }


def scope_text(scope_kind: str, scope_value: str) -> str:
    if scope_kind == ScopeKind.GLOBAL:
        return _("globally")
    return _("for %(kind)s %(value)s") % {"kind": scope_kind, "value": scope_value}


# --- permissions ----------------------------------------------------------------------


def is_service_account(actor) -> bool:
    return bool(getattr(actor, "is_service_account", False))


def check_token(actor, token) -> None:
    if (
        token is None
        or getattr(token, "service_account_id", None) != actor.pk
        or not token_allows(token, TOKEN_SCOPE)
    ):
        raise PermissionDenied(_("This token may not set flag states (scope flags:write)."))


def may_set_state(actor, flag: Flag, state: str, scope_kind: str) -> bool:
    """May this person set ``state`` on ``flag`` for a scope of ``scope_kind``?

    (For a fund flag's risky direction "set" means "request".) Pages use it to show or
    hide the buttons; the services ask it again.
    """
    user_scope = scope_kind == ScopeKind.USER
    if state in SAFE_STATES:
        return can(actor, PERM_BLOCK) or (user_scope and can(actor, PERM_USER_SCOPE))
    return can(actor, PERM_UNBLOCK) or (
        user_scope and not flag.fund_related and can(actor, PERM_USER_SCOPE)
    )


def check_permission(actor, flag: Flag, state: str, scope_kind: str, token) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))
    if is_service_account(actor):
        check_token(actor, token)
        return
    if not may_set_state(actor, flag, state, scope_kind):
        if state in SAFE_STATES:
            raise PermissionDenied(_("You may not block or close flags."))
        raise PermissionDenied(_("You may not unblock or open this flag."))


# --- reading the current state inside a transaction -------------------------------------


def current_state(flag: Flag, scope_kind: str, scope_value: str, *, now=None) -> FlagState | None:
    """The row in force for one (flag, scope) now, read from the database."""
    return (
        FlagState.objects.effective(now or timezone.now())
        .filter(flag=flag, scope_kind=scope_kind, scope_value=scope_value)
        .select_related("actor")
        .order_by("-effective_from", "-id")
        .first()
    )


def refuse_if_current(flag: Flag, cleaned: dict, previous: FlagState | None) -> None:
    """Refuse a change that would leave the scope as it is (see the module doc)."""
    state, until = cleaned["state"], cleaned["until"]
    in_force = previous.state if previous is not None else flag.default_state
    if in_force != state:
        return
    if previous is not None and previous.until is not None:
        # A temporary state: making it permanent or longer is a change.
        if until is None or until > previous.until:
            return
    scope = scope_text(cleaned["scope_kind"], cleaned["scope_value"])
    if previous is None:
        message = _("%(flag)s is already %(state)s %(scope)s (its default).")
    else:
        message = _("%(flag)s is already %(state)s %(scope)s (since %(since)s: %(reason)s).")
    raise ValidationError(
        {
            "state": [
                ValidationError(
                    message
                    % {
                        "flag": flag.key,
                        "state": StateValue(state).label.lower(),
                        "scope": scope,
                        "since": previous.effective_from.isoformat(timespec="seconds")
                        if previous
                        else "",
                        "reason": previous.reason if previous else "",
                    },
                    code="already_current",
                )
            ]
        }
    )


def parse_moment(value) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    from django.utils.dateparse import parse_datetime

    try:
        return parse_datetime(value)
    except (TypeError, ValueError):  # well formed but no such date (a 13th month)
        return None
