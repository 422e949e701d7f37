"""Mitigating an incident with kill switches, and deciding about them at resolution.

The flags' own services and rules decide everything about a switch (apps.flags.services):
the safe direction applies at once for whoever holds ``flags.block_flag``; the unblock of
a fund-related flag files a ``flags.state`` change request that a second super admin
approves (the requester cannot approve his own: apps.approvals). This module only links
the change to the incident (``incident_ref`` = the incident's number) and, at resolution,
makes the commander decide about each switch the incident still holds. The timeline
entries of the flag changes and change requests come from the receivers
(``apps.incidents.receivers_mitigation``), after commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.policy import require
from apps.approvals.services import ApprovalRefused
from apps.audit.writers import write_event
from apps.core.logging import get_logger
from apps.flags import services as flag_services
from apps.flags.models import FlagState
from apps.flags.services.rules import resolve_flag
from apps.incidents.models import EntryKind, Incident, Status
from apps.incidents.selectors.mitigation import switches_held
from apps.incidents.services.incidents import require_run
from apps.incidents.services.timeline import timeline_append

log = get_logger(__name__)

VIEW_PERMISSION = "incidents.view_incident"
BLOCK_PERMISSION = "flags.block_flag"
KEEP, UNBLOCK = "keep", "unblock"
ACTIONS = (KEEP, UNBLOCK)
MAX_REASON = 2000
#: Statuses in which no new switch may be blocked for the incident.
_NO_MITIGATION = (Status.CLOSED, Status.MERGED)


def switch_label(state: FlagState) -> str:
    """How a held switch is named to people: ``payout (network=tron)``."""
    return f"{state.flag.key} ({state.scope_label})"


@dataclass(frozen=True)
class SwitchDecision:
    """What to do with one switch the incident holds: keep it blocked or unblock it."""

    action: str
    reason: str = ""


@dataclass
class ResolutionResult:
    kept: list[FlagState]
    unblocked: list[FlagState]  # applied at once (non-fund flags)
    requested: list[tuple[FlagState, object]]  # (state, change request) for fund flags
    already_requested: list[FlagState]


def incident_block_switch(
    *,
    actor,
    incident: Incident,
    flag,
    reason: str,
    scope_kind: str = "global",
    scope_value: str = "",
    until=None,
    source: str = "portal",
) -> flag_services.StateChange:
    """Block ``flag`` (a Flag or its key) for one scope with this incident linked.

    The flags service checks the person (``flags.block_flag``) and the input and applies
    the safe direction at once; the ``flag`` timeline entry follows after commit. Raises
    ``PermissionDenied`` and ``ValidationError`` (field dict, nothing written).
    """
    require(actor, VIEW_PERMISSION, incident)
    if incident.status in _NO_MITIGATION:
        raise ValidationError(
            {
                "incident": [
                    ValidationError(
                        _("%(number)s is %(status)s: block switches from an open incident.")
                        % {"number": incident.number, "status": incident.get_status_display()},
                        code="incident_not_open",
                    )
                ]
            }
        )
    flag = resolve_flag(flag)
    with transaction.atomic():
        change = flag_services.flag_state_set(
            actor=actor,
            flag=flag,
            state=flag.safe_state,
            reason=reason,
            scope_kind=scope_kind or "global",
            scope_value=scope_value or "",
            incident_ref=incident.number,
            until=until,
            source=source,
        )
        state = change.state
        write_event(
            "incident.switch_blocked",
            actor=actor,
            target=incident,
            data={
                "number": incident.number,
                "flag": flag.key,
                "scope": state.scope_label if state is not None else None,
                "state_id": state.pk if state is not None else None,
            },
        )
    log.info("incident.switch_blocked", incident=incident.number, flag=flag.key)
    return change


def _clean_decisions(actor, held: list[FlagState], decisions: dict) -> dict[int, SwitchDecision]:
    """Check that every held switch (without a pending unblock request) has a decision,
    that a keep has a reason, that nothing unknown is named and that the person may
    unblock what they ask to unblock. Raises one ValidationError whose ``decisions``
    messages each name the switch."""
    errors: list[ValidationError] = []
    by_id = {state.pk: state for state in held}
    cleaned: dict[int, SwitchDecision] = {}
    for key in decisions:
        try:
            state_id = int(key)
        except (TypeError, ValueError):
            state_id = None
        if state_id not in by_id:
            errors.append(
                ValidationError(
                    _("Switch %(id)s is not held by this incident (any more); reload the page.")
                    % {"id": key},
                    code="unknown_switch",
                )
            )
    for state in held:
        label = switch_label(state)
        decision = decisions.get(state.pk, decisions.get(str(state.pk)))
        if decision is None:
            if getattr(state, "pending_request", None) is not None:
                continue  # its unblock is already asked for
            errors.append(
                ValidationError(
                    _(
                        "%(switch)s is still blocked by this incident: keep it or request "
                        "the unblock."
                    )
                    % {"switch": label},
                    code="decision_missing",
                )
            )
            continue
        action = getattr(decision, "action", None)
        reason = getattr(decision, "reason", "")
        reason = reason.strip() if isinstance(reason, str) else ""
        if action not in ACTIONS:
            errors.append(
                ValidationError(
                    _("%(switch)s: choose keep or unblock.") % {"switch": label},
                    code="decision_invalid",
                )
            )
            continue
        if len(reason) > MAX_REASON:
            errors.append(
                ValidationError(
                    _("%(switch)s: the reason has at most %(n)d characters.")
                    % {"switch": label, "n": MAX_REASON},
                    code="reason_too_long",
                )
            )
            continue
        if action == KEEP and not reason:
            errors.append(
                ValidationError(
                    _("%(switch)s: say why it stays blocked.") % {"switch": label},
                    code="reason_required",
                )
            )
            continue
        if action == UNBLOCK:
            if getattr(state, "pending_request", None) is not None:
                errors.append(
                    ValidationError(
                        _("%(switch)s: its unblock is already requested (#%(id)s).")
                        % {"switch": label, "id": state.pending_request.pk},
                        code="pending_request_exists",
                    )
                )
                continue
            flag = state.flag
            if not flag_services.may_set_state(actor, flag, flag.risky_state, state.scope_kind):
                errors.append(
                    ValidationError(
                        _("%(switch)s: you may not unblock this switch; keep it with a reason.")
                        % {"switch": label},
                        code="unblock_not_allowed",
                    )
                )
                continue
        cleaned[state.pk] = SwitchDecision(action=action, reason=reason)
    if errors:
        raise ValidationError({"decisions": errors})
    return cleaned


def incident_resolve(
    *,
    actor,
    incident: Incident,
    decisions: dict,
    reason: str = "",
    source: str = "portal",
) -> ResolutionResult:
    """Decide about every switch the incident still holds, then mark it resolved.

    ``decisions``: state id -> ``SwitchDecision`` (``keep`` with a reason, or ``unblock``;
    a switch whose unblock is already requested needs none). Unblocking goes through the
    flags service: a non-fund switch is unblocked at once, a fund-related one files a
    change request a second super admin approves. A kept switch gets a ``decision``
    entry "kept blocked: <reason>". All in one transaction: any refusal (a missing or
    bad decision, the flags or approvals service refusing, the status change refused)
    writes nothing. Raises ``PermissionDenied`` and ``ValidationError``.
    """
    from apps.incidents.services.lifecycle import incident_set_status

    require_run(actor, incident)
    held = switches_held(incident)
    cleaned = _clean_decisions(actor, held, decisions or {})
    result = ResolutionResult(kept=[], unblocked=[], requested=[], already_requested=[])
    with transaction.atomic():
        for state in held:
            decision = cleaned.get(state.pk)
            if decision is None:
                result.already_requested.append(state)
                continue
            label = switch_label(state)
            if decision.action == KEEP:
                timeline_append(
                    incident,
                    EntryKind.DECISION,
                    body=_("%(switch)s kept blocked: %(reason)s")
                    % {"switch": label, "reason": decision.reason},
                    data={
                        "decision": "switch_kept",
                        "state_id": state.pk,
                        "flag": state.flag.key,
                        "scope": state.scope_label,
                        "reason": decision.reason,
                    },
                    actor=actor,
                    pinned=True,
                )
                result.kept.append(state)
                continue
            unblock_reason = decision.reason or _("%(number)s resolved: lifting the block.") % {
                "number": incident.number
            }
            try:
                change = flag_services.flag_state_set(
                    actor=actor,
                    flag=state.flag,
                    state=state.flag.risky_state,
                    reason=unblock_reason,
                    scope_kind=state.scope_kind,
                    scope_value=state.scope_value,
                    incident_ref=incident.number,
                    source=source,
                )
            except ValidationError as error:
                raise ValidationError(
                    {"decisions": [f"{label}: {message}" for message in error.messages]}
                ) from None
            except PermissionDenied:
                raise ValidationError(
                    {
                        "decisions": [
                            ValidationError(
                                _("%(switch)s: you may not unblock this switch.")
                                % {"switch": label},
                                code="unblock_not_allowed",
                            )
                        ]
                    }
                ) from None
            except ApprovalRefused as refused:
                raise ValidationError(
                    {
                        "decisions": [
                            ValidationError(f"{label}: {refused.message}", code=refused.code)
                        ]
                    }
                ) from None
            if change.applied:
                result.unblocked.append(state)
            else:
                result.requested.append((state, change.change_request))
        incident_set_status(
            actor=actor,
            incident=incident,
            status=Status.RESOLVED,
            reason=reason or "",
            switches_decided=True,
        )
        write_event(
            "incident.switches_decided",
            actor=actor,
            target=incident,
            data={
                "number": incident.number,
                "kept": [state.pk for state in result.kept],
                "unblocked": [state.pk for state in result.unblocked],
                "requested": [
                    {"state_id": state.pk, "change_request": cr.pk}
                    for state, cr in result.requested
                ],
                "already_requested": [state.pk for state in result.already_requested],
            },
        )
    log.info(
        "incident.switches_decided",
        incident=incident.number,
        kept=len(result.kept),
        unblocked=len(result.unblocked),
        requested=len(result.requested),
    )
    return result
