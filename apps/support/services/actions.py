"""Support actions on one customer: freeze their claims, block their posting, and turn
either back on. Each is a user-scoped flag state set through ``apps.flags.services``
(same rules, same audit), scoped to the customer's external id, with a reason and the
ticket it was asked on.

- freeze claims / block posting: the safe direction, applied at once;
- unblock posting (``feed.post`` is not fund-related): applied at once by anyone who may
  set user-scoped states;
- unfreeze claims (``claim`` is fund-related): a change request a super admin approves
  (``flags.unblock_request`` filed by support, ``flags.state`` by ops or super admins).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.flags.models import StateSource
from apps.flags.scopes import ScopeKind
from apps.flags.services import flag_state_set, may_set_state
from apps.flags.services.requests import flag_unblock_request
from apps.support.services.access import clean_ticket

#: action -> (flag, direction, label)
ACTIONS = {
    "freeze_claims": ("claim", "safe", gettext_lazy("Freeze claims")),
    "unfreeze_claims": ("claim", "risky", gettext_lazy("Request the unfreeze of claims")),
    "block_posting": ("feed.post", "safe", gettext_lazy("Block posting")),
    "unblock_posting": ("feed.post", "risky", gettext_lazy("Unblock posting")),
}


def available_actions(actor, flags_by_key) -> list[str]:
    """The actions this person may take (for the page's buttons)."""
    names = []
    for name, (key, direction, _label) in ACTIONS.items():
        flag = flags_by_key.get(key)
        if flag is None:
            continue
        state = flag.safe_state if direction == "safe" else flag.risky_state
        if may_set_state(actor, flag, state, ScopeKind.USER) or (
            direction == "risky" and may_set_state(actor, flag, flag.safe_state, ScopeKind.USER)
        ):
            names.append(name)
    return names


def customer_action(
    *, actor, customer, action: str, reason: str, ticket: str, source=StateSource.PORTAL
):
    """Run one support action; returns the flags service's ``StateChange``.

    Raises ValidationError (unknown action, bad reason or ticket, nothing to undo),
    PermissionDenied and ``ApprovalRefused`` (a request is already pending …).
    """
    if action not in ACTIONS:
        raise ValidationError({"action": [_("Unknown action.")]})
    ticket = clean_ticket(ticket, required=True)
    text = (reason or "").strip() if isinstance(reason, str) else ""
    if not text:
        raise ValidationError({"reason": [_("A reason is required.")]})
    key, direction, _label = ACTIONS[action]
    full_reason = _("Support ticket %(ticket)s: %(reason)s") % {"ticket": ticket, "reason": text}
    if direction == "safe":
        from apps.flags.models import Flag

        flag = Flag.objects.get(key=key)
        return flag_state_set(
            actor=actor,
            flag=flag,
            state=flag.safe_state,
            reason=full_reason,
            scope_kind=ScopeKind.USER,
            scope_value=customer.external_id,
            source=source,
        )
    return flag_unblock_request(
        actor=actor,
        flag=key,
        scope_value=customer.external_id,
        reason=full_reason,
        source=source,
    )
