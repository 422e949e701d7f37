"""The flag decisions that affect one customer now, from the flags evaluation.

For each action the customer uses, the contexts that apply to them: globally and for
them (``user`` = their external id), for the networks of their wallets, for the rounds in
their recent history and, for claims, per claim type. All are decided at one flags
version (``evaluate_many``): a fixed number of queries however many rows the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from apps.flags import evaluation
from apps.flags import selectors as flag_selectors
from apps.flags.models import Flag
from apps.flags.scopes import CLAIM_TYPES

#: action -> the context kinds worth asking about for one customer
_PLAN = (
    ("contribute", ("user", "network", "round")),
    ("claim", ("user", "claim_type", "round")),
    ("refund", ("network", "round")),
    ("payout", ("network",)),
    ("feed.post", ("user",)),
    ("ama.join_token", ("user",)),
    ("project.submit", ("user",)),
    ("public_live", ("user",)),
)


@dataclass(frozen=True)
class FlagCheck:
    flag: str
    context: dict
    allowed: bool
    reason: str
    state: object | None  # evaluation.StateInfo of the deciding state

    @property
    def context_text(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.context.items()) or "global"


def _contexts(kinds, accepted, *, user, networks, rounds) -> list[dict]:
    base = {"user": user} if "user" in kinds and "user" in accepted else {}
    contexts = [dict(base)]
    if "network" in kinds and "network" in accepted:
        contexts += [{**base, "network": n} for n in networks]
    if "round" in kinds and "round" in accepted:
        contexts += [{**base, "round": str(r)} for r in rounds]
    if "claim_type" in kinds and "claim_type" in accepted:
        contexts += [{**base, "claim_type": t} for t in CLAIM_TYPES]
    unique, seen = [], set()
    for context in contexts:
        key = tuple(sorted(context.items()))
        if key not in seen:
            seen.add(key)
            unique.append(context)
    return unique


def flag_checks(*, customer, networks, rounds, now=None) -> list[FlagCheck]:
    """Every decision that matters to ``customer``; blocked ones first."""
    accepted = dict(Flag.objects.values_list("key", "scopes"))
    plan = []
    for key, kinds in _PLAN:
        if key not in accepted:
            continue
        for context in _contexts(
            kinds,
            set(accepted[key] or []),
            user=customer.external_id,
            networks=networks,
            rounds=rounds,
        ):
            plan.append((key, context))
    if not plan:
        return []
    try:
        decisions = evaluation.evaluate_many(plan, now=now or timezone.now())
    except (evaluation.FlagNotFound, evaluation.ContextError):
        # A flag changed its scopes between the two reads: show nothing rather than guess.
        return []
    checks = [
        FlagCheck(
            flag=key,
            context=context,
            allowed=decision.allowed,
            reason=decision.reason,
            state=decision.state,
        )
        for (key, context), decision in zip(plan, decisions, strict=True)
    ]
    checks.sort(key=lambda c: (c.allowed, c.flag))
    return checks


def user_states(*, customer, now=None) -> list:
    """User-scoped flag states in force for this customer (freezes, posting blocks …)."""
    return flag_selectors.states_affecting_user(user_ref=customer.external_id, now=now)


def is_blocked(checks, flag: str, **context) -> FlagCheck | None:
    """The first blocking decision of ``flag`` that applies to ``context``: one whose
    context names only this customer (``user``) and keys of ``context`` with the same
    values (so a global or per-user block applies everywhere, a block of round 7 only
    when round 7 is asked about)."""
    for check in checks:
        if check.flag != flag or check.allowed:
            continue
        if all(k == "user" or context.get(k) == v for k, v in check.context.items()):
            return check
    return None
