"""What a diagnostic is: the playbook's checks for one top case, run on one customer.

A diagnostic (one module per case, registered in ``apps.support.diagnostics``) takes the
customer page's data (``CustomerOverview``: profile, wallets, recent transactions, claims,
refunds, rounds and the flag decisions for this customer now) and returns a
``Diagnosis``: each check passed or failed with its evidence, a verdict, the key of the
canned reply to send and the values its placeholders take. Diagnostics read nothing
else, so they add no query to the page and are tested on crafted customers.

Adding a check: append a ``Check`` in the case's ``run`` and, if it decides something, a
verdict (with its reply texts in ``apps.support.reply_defaults``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from apps.support.models import ClaimStatus, TxKind, TxStatus


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    passed: bool | None  # None: does not apply here
    evidence: str


@dataclass
class Diagnosis:
    case: str
    title: str
    checks: list[Check]
    verdict: str
    summary: str
    values: dict[str, str] = field(default_factory=dict)

    @property
    def reply_key(self) -> str:
        return f"{self.case}.{self.verdict}"

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if check.passed is False]


@dataclass(frozen=True)
class Diagnostic:
    key: str
    title: str  # lazy
    description: str  # lazy
    run: Callable  # (overview) -> Diagnosis
    verdicts: tuple[str, ...]


# --- helpers the cases share ------------------------------------------------------------


def when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def minutes(delta) -> int:
    return int(delta.total_seconds() // 60)


def primary_on(overview, network: str):
    for wallet in overview.wallets:
        if wallet.network == network and wallet.is_primary:
            return wallet
    return None


def pending_of(overview, kinds: Iterable[str]):
    kinds = set(kinds)
    return [
        row
        for row in overview.transactions
        if row.tx.kind in kinds and row.tx.status == TxStatus.PENDING
    ]


def pending_claim_transactions(overview):
    return pending_of(overview, {TxKind.CLAIM})


def latest_failed(overview, kind: str):
    for row in overview.transactions:
        if row.tx.kind == kind and row.tx.status in (TxStatus.FAILED, TxStatus.DROPPED):
            return row
    return None


def customer_values(overview) -> dict[str, str]:
    customer = overview.customer
    return {
        "handle": customer.handle_display or customer.external_id,
        "external_id": customer.external_id,
        "customer_name": customer.display_name,
        "referral_count": str(customer.active_referral_count),
        "bluecheck_status": customer.get_bluecheck_status_display(),
        "bluecheck_expires": when(customer.bluecheck_expires_at)
        if customer.bluecheck_expires_at
        else "",
        "kyc_reason": customer.kyc_rejection_reason,
    }


def tx_values(tx, now, prefix: str = "tx") -> dict[str, str]:
    if tx is None:
        return {}
    return {
        f"{prefix}_hash": tx.tx_hash,
        f"{prefix}_network": tx.network,
        f"{prefix}_status": tx.get_status_display(),
        f"{prefix}_submitted": when(tx.submitted_at),
        "failure_reason": tx.failure_reason,
        "pending_minutes": str(minutes(now - tx.submitted_at)),
    }


def flag_check(overview, flag: str, label: str, **context) -> Check:
    from apps.support.selectors.flags import is_blocked

    blocking = is_blocked(overview.checks, flag, **context)
    if blocking is None:
        return Check(
            f"{flag}_allowed", label, True, _("%(flag)s is allowed here.") % {"flag": flag}
        )
    state = blocking.state
    return Check(
        f"{flag}_allowed",
        label,
        False,
        _("%(flag)s is blocked (%(context)s, %(reason)s): %(why)s")
        % {
            "flag": flag,
            "context": blocking.context_text,
            "reason": blocking.reason,
            "why": state.reason if state is not None else "",
        },
    )


def user_scoped_block(overview, flag: str, **context):
    """The blocking decision of ``flag`` for this customer when it comes from a state on
    the user scope (a freeze) rather than a global or other scope."""
    from apps.support.selectors.flags import is_blocked

    blocking = is_blocked(overview.checks, flag, **context)
    if blocking is not None and blocking.state is not None and blocking.state.scope_kind == "user":
        return blocking
    return None


CLAIMABLE = {ClaimStatus.CLAIMABLE, ClaimStatus.FAILED}
