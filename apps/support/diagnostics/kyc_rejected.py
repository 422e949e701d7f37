"""“My KYC was rejected”: the reason and the resubmission flow (§12.6)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.support.diagnostics.base import Check, Diagnosis, Diagnostic, customer_values
from apps.support.models import KycStatus

KEY = "kyc_rejected"
VERDICTS = ("banned", "rejected", "rejected_no_reason", "pending", "approved", "not_started")


def run(overview) -> Diagnosis:
    customer = overview.customer
    values = customer_values(overview)
    rejected = customer.kyc_status == KycStatus.REJECTED
    checks = [
        Check(
            "kyc_status",
            _("KYC status"),
            customer.kyc_status == KycStatus.APPROVED,
            _("KYC %(status)s.") % {"status": customer.get_kyc_status_display()},
        ),
        Check(
            "reason_recorded",
            _("The rejection reason is recorded"),
            bool(customer.kyc_rejection_reason) if rejected else None,
            customer.kyc_rejection_reason or _("No reason recorded."),
        ),
        Check(
            "not_banned",
            _("The account is not banned (resubmission possible)"),
            not customer.banned,
            _("Banned.") if customer.banned else _("Not banned."),
        ),
    ]

    def done(verdict, summary):
        return Diagnosis(KEY, str(TITLE), checks, verdict, summary, values)

    if customer.banned:
        return done("banned", _("The account is banned: no resubmission."))
    if rejected and customer.kyc_rejection_reason:
        return done("rejected", _("Rejected with a reason: send it and the resubmission steps."))
    if rejected:
        return done("rejected_no_reason", _("Rejected without a recorded reason: ask compliance."))
    if customer.kyc_status == KycStatus.PENDING:
        return done("pending", _("The KYC is still being reviewed."))
    if customer.kyc_status == KycStatus.APPROVED:
        return done("approved", _("The KYC is approved: nothing was rejected."))
    return done("not_started", _("The customer has not submitted KYC yet."))


TITLE = gettext_lazy("KYC rejected")
DIAGNOSTIC = Diagnostic(
    key=KEY,
    title=TITLE,
    description=gettext_lazy(
        "Checks the KYC status, the recorded reason and whether the customer may resubmit."
    ),
    run=run,
    verdicts=VERDICTS,
)
