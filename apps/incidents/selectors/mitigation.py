"""Reads of the mitigation part: the kill switches an incident holds.

Everyone who may see an incident may see the switches it holds (a kill switch is
operational information every role reads on the flags panel); the caller's view or rule
checked that. Two queries whatever the incident holds.
"""

from __future__ import annotations

from apps.approvals import selectors as approval_selectors
from apps.flags import selectors as flag_selectors
from apps.flags.handlers import KIND as FLAG_STATE_KIND
from apps.flags.models import Flag, FlagKind, FlagState
from apps.incidents.models import Incident


def switches_held(incident: Incident, *, now=None) -> list[FlagState]:
    """Flags whose state in force now (per flag and scope) is blocked or closed and names
    this incident, by flag key. Each row gets ``pending_request``: the pending change
    request to unblock it (a fund-related flag whose unblock was asked for), or None."""
    states = flag_selectors.states_held_by_incident(incident_ref=incident.number, now=now)
    if not states:
        return states
    pending = {}
    for change_request in approval_selectors.pending_for_targets(
        kinds=[FLAG_STATE_KIND], target_prefix=f"{FLAG_STATE_KIND}:"
    ).only("pk", "target", "status", "payload"):
        parts = change_request.target.split(":", 3)
        if len(parts) == 4:
            pending[tuple(parts[1:])] = change_request
    for state in states:
        state.pending_request = pending.get((state.flag.key, state.scope_kind, state.scope_value))
    return states


def blockable_flags(*, user) -> list[Flag]:
    """The kill switches ``user`` sees, by key: what the incident page offers to block
    (the flags service decides who may; one query)."""
    return list(flag_selectors.flag_list(user=user).filter(kind=FlagKind.KILL_SWITCH))


def incident_by_number(*, number: str, user) -> Incident | None:
    """The incident numbered ``number`` if ``user`` (a person or a token) may see it."""
    from apps.incidents.selectors.incidents import incident_get

    return incident_get(user=user, number=number)
