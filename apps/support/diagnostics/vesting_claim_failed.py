"""“My vesting claim failed”: claimable, wallet chain, pending transaction (§12.6)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.support.diagnostics.base import (
    CLAIMABLE,
    Check,
    Diagnosis,
    Diagnostic,
    customer_values,
    flag_check,
    latest_failed,
    pending_claim_transactions,
    primary_on,
    tx_values,
)
from apps.support.models import ClaimStatus, ClaimType, TxKind

KEY = "vesting_claim_failed"
VERDICTS = (
    "no_claim",
    "locked",
    "completed",
    "no_primary_wallet",
    "paused",
    "pending_tx",
    "failed",
    "ready",
)


def run(overview) -> Diagnosis:
    now = overview.now
    checks: list[Check] = []
    values = customer_values(overview)

    def done(verdict, summary):
        return Diagnosis(KEY, str(TITLE), checks, verdict, summary, values)

    claims = [c for c in overview.claims if c.claim_type == ClaimType.VESTING]
    claim = next((c for c in claims if c.status in CLAIMABLE), claims[0] if claims else None)
    if claim is None:
        checks.append(
            Check(
                "claim_exists",
                _("A vesting claim is recorded"),
                False,
                _("No vesting claim on record."),
            )
        )
        return done("no_claim", _("No vesting claim is recorded for this customer."))
    values.update(
        {
            "claim_status": claim.get_status_display(),
            "round_id": str(claim.round_ref or ""),
            "network": claim.network,
        }
    )
    round_ = overview.round_for(claim.round_ref)
    if round_:
        values["project"] = round_.project_name
    checks.append(
        Check(
            "claimable",
            _("Something is claimable now"),
            claim.status in CLAIMABLE and claim.amount > 0,
            _("Claim %(id)s: %(status)s.")
            % {"id": claim.claim_id, "status": claim.get_status_display()},
        )
    )
    primary = primary_on(overview, claim.network) if claim.network else None
    checks.append(
        Check(
            "primary_wallet",
            _("A primary wallet on the claim's network"),
            primary is not None,
            _("Primary wallet on %(network)s: %(address)s.")
            % {"network": claim.network, "address": primary.address}
            if primary
            else _("No primary wallet on %(network)s.") % {"network": claim.network or "?"},
        )
    )
    if primary:
        values["primary_wallet"] = primary.address
    pending = pending_claim_transactions(overview)
    checks.append(
        Check(
            "no_pending_claim",
            _("No claim transaction is still pending"),
            not pending,
            _("Pending claim transaction %(hash)s since %(m)s minutes.")
            % {"hash": pending[0].tx.tx_hash, "m": int(pending[0].age.total_seconds() // 60)}
            if pending
            else _("No pending claim transaction."),
        )
    )
    context = {"claim_type": "vesting"}
    allowed = flag_check(overview, "claim", _("Vesting claims are not blocked"), **context)
    if allowed.passed and claim.round_ref:
        allowed = flag_check(
            overview, "claim", _("Vesting claims are not blocked"), round=str(claim.round_ref)
        )
    checks.append(allowed)
    failed = latest_failed(overview, TxKind.CLAIM)
    if failed is not None:
        values.update(tx_values(failed.tx, now))
    if claim.failure_reason:
        values["failure_reason"] = claim.failure_reason

    if claim.status == ClaimStatus.COMPLETED:
        tx = overview.transaction_for(claim)
        values.update(tx_values(tx, now))
        return done("completed", _("The claim went through: send the transaction hash."))
    if claim.status == ClaimStatus.LOCKED:
        return done("locked", _("Nothing is vested yet: tell the customer when it unlocks."))
    if primary is None:
        return done("no_primary_wallet", _("No primary wallet on the claim's network."))
    if allowed.passed is False:
        return done("paused", _("Vesting claims are blocked for this customer or round."))
    if pending:
        values.update(tx_values(pending[0].tx, now))
        return done("pending_tx", _("A claim transaction is still pending: wait for it."))
    if claim.status == ClaimStatus.FAILED or failed is not None:
        return done("failed", _("The last claim failed; everything is in place for a new try."))
    return done(
        "ready", _("The claim is claimable and nothing blocks it: ask the customer to try again.")
    )


TITLE = gettext_lazy("Vesting claim failed")
DIAGNOSTIC = Diagnostic(
    key=KEY,
    title=TITLE,
    description=gettext_lazy(
        "Checks what is claimable, the primary wallet on the claim's network, pending claim "
        "transactions and the claim switch."
    ),
    run=run,
    verdicts=VERDICTS,
)
