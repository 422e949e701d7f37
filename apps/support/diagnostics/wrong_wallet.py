"""“I linked the wrong wallet”: the procedure to change the primary wallet and its risks
(nothing in flight to the current one) (§12.6)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.support.diagnostics.base import Check, Diagnosis, Diagnostic, customer_values, pending_of
from apps.support.models import ClaimStatus, RefundStatus, TxKind

KEY = "wrong_wallet"
VERDICTS = ("no_wallet", "wait_pending", "can_change")


def run(overview) -> Diagnosis:
    values = customer_values(overview)
    primaries = [w for w in overview.wallets if w.is_primary]
    checks = [
        Check(
            "has_primary",
            _("A primary wallet is linked"),
            bool(primaries),
            "; ".join(f"{w.network}: {w.address}" for w in primaries) or _("No primary wallet."),
        )
    ]
    if primaries:
        values["primary_wallet"] = primaries[0].address
        values["network"] = primaries[0].network
    in_flight = pending_of(overview, {TxKind.CLAIM, TxKind.REFUND, TxKind.PAYOUT})
    checks.append(
        Check(
            "nothing_in_flight",
            _("No payout, claim or refund transaction is pending to the current wallet"),
            not in_flight,
            ", ".join(f"{r.tx.get_kind_display()} {r.tx.tx_hash}" for r in in_flight[:3])
            or _("Nothing pending."),
        )
    )
    owed = [c for c in overview.claims if c.status == ClaimStatus.PENDING] + [
        r for r in overview.refunds if r.status == RefundStatus.PENDING
    ]
    checks.append(
        Check(
            "nothing_owed_in_flight",
            _("No claim or refund is being paid right now"),
            not owed,
            ", ".join(getattr(item, "claim_id", None) or item.refund_id for item in owed[:3])
            or _("Nothing being paid."),
        )
    )
    checks.append(
        Check(
            "wallet_count",
            _("Wallets linked"),
            None,
            _("%(n)d wallets on %(networks)s.")
            % {
                "n": len(overview.wallets),
                "networks": ", ".join(sorted({w.network for w in overview.wallets})) or "—",
            },
        )
    )

    def done(verdict, summary):
        return Diagnosis(KEY, str(TITLE), checks, verdict, summary, values)

    if not overview.wallets:
        return done("no_wallet", _("No wallet is linked yet: the customer links one in the app."))
    if in_flight or owed:
        return done(
            "wait_pending",
            _("Funds are on their way to the current wallet: change it only after they arrive."),
        )
    return done(
        "can_change",
        _("Nothing is in flight: send the procedure to change the primary wallet and its risks."),
    )


TITLE = gettext_lazy("Wrong wallet linked")
DIAGNOSTIC = Diagnostic(
    key=KEY,
    title=TITLE,
    description=gettext_lazy(
        "Checks the primary wallets and whether any payout, claim or refund is in flight to them."
    ),
    run=run,
    verdicts=VERDICTS,
)
