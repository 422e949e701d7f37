"""“My refund failed”: primary wallet on the round's network, refund transaction status,
round result (support playbook §12.6)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.support.diagnostics.base import (
    Check,
    Diagnosis,
    Diagnostic,
    customer_values,
    flag_check,
    minutes,
    primary_on,
    tx_values,
)
from apps.support.models import RefundStatus, RoundResult, RoundStatus, TxStatus

KEY = "refund_failed"
VERDICTS = (
    "no_refund",
    "round_not_failed",
    "no_primary_wallet",
    "paused",
    "completed",
    "in_progress",
    "stuck",
    "failed",
    "queued",
)


def run(overview) -> Diagnosis:
    now = overview.now
    refund = overview.refunds[0] if overview.refunds else None
    checks: list[Check] = []
    values = customer_values(overview)

    def done(verdict: str, summary: str) -> Diagnosis:
        return Diagnosis(KEY, str(TITLE), checks, verdict, summary, values)

    if refund is None:
        checks.append(
            Check(
                "refund_exists",
                _("A refund is recorded"),
                False,
                _("No refund on record for this customer."),
            )
        )
        return done("no_refund", _("No refund is recorded: check which round the customer means."))
    round_ = overview.round_for(refund.round_ref)
    network = refund.network or (round_.network if round_ else "")
    values.update(
        {
            "round_id": str(refund.round_ref),
            "project": round_.project_name if round_ else "",
            "network": network,
            "refund_status": refund.get_status_display(),
        }
    )
    checks.append(
        Check(
            "refund_exists",
            _("A refund is recorded"),
            True,
            _("Refund %(id)s for round %(round)s: %(status)s.")
            % {
                "id": refund.refund_id,
                "round": refund.round_ref,
                "status": refund.get_status_display(),
            },
        )
    )
    failed_round = round_ is not None and (
        round_.result == RoundResult.FAILED or round_.status == RoundStatus.CANCELLED
    )
    checks.append(
        Check(
            "round_failed",
            _("The round failed or was cancelled (a refund is owed)"),
            failed_round if round_ is not None else None,
            _("Round %(round)s: %(status)s, result %(result)s.")
            % {
                "round": round_.round_id,
                "status": round_.get_status_display(),
                "result": round_.get_result_display(),
            }
            if round_
            else _("Round %(round)s is not in the read model.") % {"round": refund.round_ref},
        )
    )
    primary = primary_on(overview, network) if network else None
    checks.append(
        Check(
            "primary_wallet",
            _("A primary wallet on the round's network"),
            primary is not None,
            _("Primary wallet on %(network)s: %(address)s.")
            % {"network": network, "address": primary.address}
            if primary
            else _("No primary wallet on %(network)s.") % {"network": network or "?"},
        )
    )
    if primary:
        values["primary_wallet"] = primary.address
    context = {"network": network} if network else {}
    blocked = flag_check(overview, "refund", _("Refunds are not paused"), **context)
    round_block = flag_check(
        overview, "refund", _("Refunds are not paused"), round=str(refund.round_ref)
    )
    paused = blocked if blocked.passed is False else round_block
    checks.append(paused)
    tx = overview.transaction_for(refund)
    if tx is not None:
        values.update(tx_values(tx, now))
    stuck = tx is not None and tx.is_stuck(now, _stuck_after())
    checks.append(
        Check(
            "refund_tx",
            _("The refund transaction went through"),
            None if tx is None else tx.status == TxStatus.CONFIRMED,
            _("No refund transaction sent yet.")
            if tx is None
            else _("%(hash)s on %(network)s: %(status)s%(stuck)s%(why)s")
            % {
                "hash": tx.tx_hash,
                "network": tx.network,
                "status": tx.get_status_display(),
                "stuck": _(", pending for %(m)d minutes (stuck)")
                % {"m": minutes(now - tx.submitted_at)}
                if stuck
                else "",
                "why": f" — {tx.failure_reason}" if tx.failure_reason else "",
            },
        )
    )
    if refund.failure_reason and not values.get("failure_reason"):
        values["failure_reason"] = refund.failure_reason

    if refund.status == RefundStatus.COMPLETED or (
        tx is not None and tx.status == TxStatus.CONFIRMED
    ):
        return done("completed", _("The refund was paid: send the transaction hash."))
    if round_ is not None and not failed_round:
        return done("round_not_failed", _("The round did not fail: no refund is owed."))
    if primary is None:
        return done(
            "no_primary_wallet",
            _("No primary wallet on the round's network: the customer must set one."),
        )
    if paused.passed is False:
        return done(
            "paused", _("Refunds are paused for this network or round: tell the customer to wait.")
        )
    if tx is not None and tx.status == TxStatus.PENDING:
        if stuck:
            return done(
                "stuck", _("The refund transaction is stuck: escalate to ops with the hash.")
            )
        return done("in_progress", _("The refund transaction is on its way."))
    if refund.status == RefundStatus.FAILED or (
        tx is not None and tx.status in (TxStatus.FAILED, TxStatus.DROPPED)
    ):
        return done("failed", _("The refund transaction failed: escalate to finance for a retry."))
    return done("queued", _("The refund is queued and not sent yet."))


def _stuck_after():
    from apps.support.selectors.customers import stuck_after

    return stuck_after()


TITLE = gettext_lazy("Refund failed")
DIAGNOSTIC = Diagnostic(
    key=KEY,
    title=TITLE,
    description=gettext_lazy(
        "Checks the refund, the round's result, the primary wallet on the round's network, the "
        "refund switch and the refund transaction."
    ),
    run=run,
    verdicts=VERDICTS,
)
