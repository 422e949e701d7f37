"""“I can't post”: blue check status, posting blocks, ban (§12.6)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.support.diagnostics.base import (
    Check,
    Diagnosis,
    Diagnostic,
    customer_values,
    flag_check,
    when,
)

KEY = "cannot_post"
VERDICTS = ("banned", "posting_blocked", "no_bluecheck", "ok")


def run(overview) -> Diagnosis:
    customer = overview.customer
    checks: list[Check] = []
    values = customer_values(overview)
    checks.append(
        Check(
            "not_banned",
            _("The account is not banned"),
            not customer.banned,
            _("Banned.") if customer.banned else _("Not banned."),
        )
    )
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
    posting = flag_check(
        overview, "feed.post", _("Posting is not blocked"), user=customer.external_id
    )
    checks.append(posting)

    def done(verdict, summary):
        return Diagnosis(KEY, str(TITLE), checks, verdict, summary, values)

    if customer.banned:
        return done("banned", _("The account is banned: posting is not possible."))
    if posting.passed is False:
        return done("posting_blocked", _("Posting is blocked (globally or for this customer)."))
    if not active:
        return done("no_bluecheck", _("No active blue check: posting needs one."))
    return done(
        "ok",
        _("Nothing here stops posting: escalate with the time and the error the customer saw."),
    )


TITLE = gettext_lazy("Cannot post")
DIAGNOSTIC = Diagnostic(
    key=KEY,
    title=TITLE,
    description=gettext_lazy(
        "Checks the ban, the blue check and the posting switch for this customer."
    ),
    run=run,
    verdicts=VERDICTS,
)
