"""“I can't claim my referral”: the patch rules (blue check + active referral count), the
claim switch and pending claims (§12.6)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.support.diagnostics.base import (
    Check,
    Diagnosis,
    Diagnostic,
    customer_values,
    flag_check,
    pending_claim_transactions,
    tx_values,
    user_scoped_block,
    when,
)

KEY = "cannot_claim_referral"
VERDICTS = ("no_bluecheck", "no_active_referrals", "frozen", "paused", "pending_tx", "ok")


def run(overview) -> Diagnosis:
    customer = overview.customer
    checks: list[Check] = []
    values = customer_values(overview)
    active = customer.bluecheck_active(overview.now)
    checks.append(
        Check(
            "bluecheck_active",
            _("Blue check active"),
            active,
            _("Blue check %(status)s, expires %(expires)s.")
            % {
                "status": customer.get_bluecheck_status_display(),
                "expires": when(customer.bluecheck_expires_at),
            },
        )
    )
    checks.append(
        Check(
            "active_referrals",
            _("At least one active referral"),
            customer.active_referral_count >= 1,
            _("%(n)d active referrals.") % {"n": customer.active_referral_count},
        )
    )
    allowed = flag_check(
        overview,
        "claim",
        _("Referral claims are not blocked (globally or for this user)"),
        claim_type="referral",
        user=customer.external_id,
    )
    checks.append(allowed)
    pending = pending_claim_transactions(overview)
    checks.append(
        Check(
            "no_pending_claim",
            _("No claim transaction is still pending"),
            not pending,
            _("Pending claim transaction %(hash)s.") % {"hash": pending[0].tx.tx_hash}
            if pending
            else _("No pending claim transaction."),
        )
    )

    def done(verdict, summary):
        return Diagnosis(KEY, str(TITLE), checks, verdict, summary, values)

    if not active:
        return done("no_bluecheck", _("Referral claims need an active blue check."))
    if customer.active_referral_count < 1:
        return done("no_active_referrals", _("Referral claims need at least one active referral."))
    if allowed.passed is False:
        if user_scoped_block(overview, "claim", claim_type="referral", user=customer.external_id):
            return done("frozen", _("This customer's claims are frozen (under review)."))
        return done("paused", _("Referral claims are paused for everyone."))
    if pending:
        values.update(tx_values(pending[0].tx, overview.now))
        return done("pending_tx", _("A claim transaction is still pending: wait for it."))
    return done(
        "ok", _("The customer meets the rules and nothing blocks the claim: ask them to try again.")
    )


TITLE = gettext_lazy("Cannot claim referral")
DIAGNOSTIC = Diagnostic(
    key=KEY,
    title=TITLE,
    description=gettext_lazy(
        "Checks the blue check, the active referral count, the claim switch for referrals and "
        "this user, and pending claims."
    ),
    run=run,
    verdicts=VERDICTS,
)
