"""Reads of the flags app, restricted to what the reader may see.

Everyone who may view flags (every role) sees every flag and state: a kill switch is
operational information, not a secret. A person without ``flags.view_flag`` sees nothing;
an API token sees everything with ``flags:read`` (``READ_SCOPE``) and nothing without it.
Callers hand in who asks (``apps.accounts.policy.caller_of(request)`` in API views: the
token, not its service account). Functions without a caller are for trusted code and for
views whose rule already checked the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from apps.accounts.policy import restrict
from apps.flags.models import SAFE_STATES, Flag, FlagState, ScheduledFlagChange
from apps.flags.scopes import ScopeKind

VIEW = "flags.view_flag"
READ_SCOPE = "flags:read"


def flag_list(*, user) -> QuerySet[Flag]:
    """The flags ``user`` (a person or an API token) may see, by key."""
    return restrict(Flag.objects.order_by("key"), user, VIEW, scope=READ_SCOPE)


@dataclass
class FlagRow:
    """One flag on the panel with the states in force now, safe-direction ones first."""

    flag: Flag
    states: list[FlagState] = field(default_factory=list)
    #: the global state in force (None: the kind's default)
    global_state: FlagState | None = None

    @property
    def blocked_states(self) -> list[FlagState]:
        """States in force in the safe direction (blocked / closed)."""
        return [s for s in self.states if s.state in SAFE_STATES]

    @property
    def blocked(self) -> bool:
        """Is any state in force in the safe direction (blocked / closed) for some scope?"""
        return bool(self.blocked_states)

    @property
    def is_blocked(self) -> bool:
        """Does anything block this kill switch (globally or for some scope)?"""
        return self.flag.kind == "kill_switch" and bool(self.blocked_states)

    @property
    def global_value(self) -> str:
        return self.global_state.state if self.global_state else self.flag.default_state


def _current_rows(rows, now) -> dict[tuple[int, str, str], FlagState]:
    """The row in force per (flag, scope) among ``rows`` ordered newest first."""
    current: dict[tuple[int, str, str], FlagState] = {}
    for row in rows:
        key = (row.flag_id, row.scope_kind, row.scope_value)
        if key in current or row.effective_from > now:
            continue
        if row.until is not None and row.until <= now:
            continue
        current[key] = row
    return current


def flags_panel(*, user, now=None) -> list[FlagRow]:
    """Every flag with its states in force now; flags with a block first, then by key.

    Two queries whatever the number of flags and states. Inside a flag: the global state
    first, then blocked/closed states before allowed/open ones, newest first.
    """
    flags = list(flag_list(user=user))
    if not flags:
        return []
    now = now or timezone.now()
    rows = (
        FlagState.objects.not_ended(now)
        .filter(effective_from__lte=now)
        .select_related("actor", "change_request")
        .order_by("flag_id", "scope_kind", "scope_value", "-effective_from", "-id")
    )
    by_flag: dict[int, list[FlagState]] = {}
    for row in _current_rows(rows, now).values():
        by_flag.setdefault(row.flag_id, []).append(row)
    result = []
    for flag in flags:
        states = by_flag.get(flag.pk, [])
        states.sort(
            key=lambda s: (
                s.scope_kind != ScopeKind.GLOBAL,
                s.state not in SAFE_STATES,
                -s.effective_from.timestamp(),
                -s.pk,
            )
        )
        global_state = next((s for s in states if s.scope_kind == ScopeKind.GLOBAL), None)
        for state in states:
            state.flag = flag  # already loaded: no query per row for state.flag
        result.append(FlagRow(flag=flag, states=states, global_state=global_state))
    result.sort(key=lambda r: (not r.blocked_states, r.flag.key))
    return result


def flag_get(*, key: str, user=None) -> Flag | None:
    """The flag with ``key`` (None if unknown, or if ``user`` is given and may not view).

    Without ``user``: trusted code, and views whose rule already checked the caller (a
    token holding only ``flags:write`` sets a state on a flag it cannot list).
    """
    queryset = Flag.objects.all() if user is None else flag_list(user=user)
    return queryset.filter(key=key).first()


def flags_by_key(*, keys) -> dict[str, Flag]:
    """key -> flag for the known ``keys``: trusted (code deciding which actions to offer)."""
    return {flag.key: flag for flag in Flag.objects.filter(key__in=list(keys))}


def flag_history(*, flag: Flag) -> QuerySet[FlagState]:
    """Every state of ``flag``, newest first (by when it took effect, then id)."""
    return (
        FlagState.objects.filter(flag=flag)
        .select_related("flag", "actor", "change_request", "change_request__decided_by")
        .order_by("-effective_from", "-id")
    )


def scheduled_changes(*, status=None, flag: Flag | None = None) -> QuerySet[ScheduledFlagChange]:
    """Scheduled changes, soonest first; ``status`` narrows (a value or a list), and so
    does ``flag``. For views whose rule checked the caller (every reader of flags)."""
    queryset = ScheduledFlagChange.objects.select_related(
        "flag", "requested_by", "change_request", "applied_state", "cancelled_by"
    ).order_by("run_at", "id")
    if flag is not None:
        queryset = queryset.filter(flag=flag)
    if status:
        if isinstance(status, list | tuple | set | frozenset):
            queryset = queryset.filter(status__in=list(status))
        else:
            queryset = queryset.filter(status=status)
    return queryset


def states_affecting_user(*, user_ref: str, now=None) -> list[FlagState]:
    """User-scoped states in force for one platform customer (the support page)."""
    now = now or timezone.now()
    rows = (
        FlagState.objects.not_ended(now)
        .filter(scope_kind=ScopeKind.USER, scope_value=user_ref, effective_from__lte=now)
        .select_related("flag", "actor")
        .order_by("flag_id", "scope_kind", "scope_value", "-effective_from", "-id")
    )
    return list(_current_rows(rows, now).values())


def states_held_by_incident(*, incident_ref: str, now=None) -> list[FlagState]:
    """The states in force now in the safe direction (blocked / closed) that name
    ``incident_ref``: the switches an incident holds. One per (flag, scope) at most, by
    flag key then scope; one query. A scope blocked for this incident and then set again
    (unblocked, or blocked anew for another reason) is no longer held by it.
    """
    if not incident_ref:
        return []
    now = now or timezone.now()
    named = FlagState.objects.filter(
        incident_ref=incident_ref,
        flag_id=OuterRef("flag_id"),
        scope_kind=OuterRef("scope_kind"),
        scope_value=OuterRef("scope_value"),
    )
    rows = (
        FlagState.objects.not_ended(now)
        .filter(effective_from__lte=now)
        .filter(Exists(named))
        .select_related("flag", "actor", "change_request")
        .order_by("flag_id", "scope_kind", "scope_value", "-effective_from", "-id")
    )
    held = [
        row
        for row in _current_rows(rows, now).values()
        if row.state in SAFE_STATES and row.incident_ref == incident_ref
    ]
    held.sort(key=lambda row: (row.flag.key, row.scope_kind != ScopeKind.GLOBAL, row.scope_label))
    return held
