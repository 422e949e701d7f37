"""Every write of the flags app: flags, states, scheduled changes, subscriptions.

The rules (DESIGN.md "Kill switches and gates"):

- **Safe direction** (``blocked`` for a kill switch, ``closed`` for a gate): one person
  holding ``flags.block_flag`` (ops, incident commander, super admin) applies it at once.
- **Risky direction** (``allowed`` / ``open``): on a fund-related flag it files a change
  request (kind ``flags.state``, see ``apps.flags.handlers``) that a second person
  approves with a fresh OTP code; nothing changes until then. On other flags one person
  holding ``flags.unblock_flag`` (ops, super admin) applies it.
- **User scope**: ``flags.set_user_scope`` (support) may also set user-scoped states:
  any block (freeze a customer's claims, block posting) and the unblock of a non-fund flag.
- **Service accounts** act through an API token holding ``flags:write``: the same
  directions apply (a fund unblock files a change request, never approves one).

A state that is already in force is refused with the code ``already_current`` ("round 42
of contribute is already blocked"): for people that is a clear mistake, and an API retry
should carry an Idempotency-Key (the replay answers the first result). Setting a
permanent state over a temporary one, or a temporary one that ends later than the one in
force, is a change and is accepted.

Every change inserts one ``FlagState`` row and nothing else of the flags tables; the
audit trail (auditlog and a domain event), the outbox rows of subscribed channels (in the
same transaction, so a crash cannot lose a webhook; delivered after commit) and, after
commit, the version in the shared cache and the ``flag_state_changed`` signal follow.
"""

from apps.flags.services.effects import insert_state
from apps.flags.services.requests import flag_unblock_request
from apps.flags.services.rules import (
    CALLER_SOURCES,
    EVENT_BLOCK_LIFTED,
    EVENT_STATE_CHANGED,
    EVENT_STATE_ENDED,
    KIND,
    TOKEN_SCOPE,
    StateChange,
    current_state,
    may_set_state,
)
from apps.flags.services.schedule import (
    scheduled_change_cancel,
    scheduled_change_create,
    scheduled_change_mark_approved,
    scheduled_changes_apply_due,
    temporary_states_lapse,
)
from apps.flags.services.states import (
    change_request_payload,
    flag_create,
    flag_state_apply_approved,
    flag_state_set,
)
from apps.flags.services.subscriptions import (
    flag_subscription_create,
    flag_subscription_set_enabled,
)

__all__ = [
    "CALLER_SOURCES",
    "EVENT_BLOCK_LIFTED",
    "EVENT_STATE_CHANGED",
    "EVENT_STATE_ENDED",
    "KIND",
    "TOKEN_SCOPE",
    "StateChange",
    "change_request_payload",
    "current_state",
    "flag_create",
    "flag_state_apply_approved",
    "flag_state_set",
    "flag_subscription_create",
    "flag_subscription_set_enabled",
    "flag_unblock_request",
    "insert_state",
    "may_set_state",
    "scheduled_change_cancel",
    "scheduled_change_create",
    "scheduled_change_mark_approved",
    "scheduled_changes_apply_due",
    "temporary_states_lapse",
]
