"""The support playbook's top cases (§12.6), one module each (see ``base``)."""

from __future__ import annotations

from apps.support.diagnostics import (
    cannot_claim_referral,
    cannot_post,
    kyc_rejected,
    refund_failed,
    vesting_claim_failed,
    wrong_wallet,
)
from apps.support.diagnostics.base import Check, Diagnosis, Diagnostic

DIAGNOSTICS: dict[str, Diagnostic] = {
    module.DIAGNOSTIC.key: module.DIAGNOSTIC
    for module in (
        refund_failed,
        vesting_claim_failed,
        cannot_post,
        cannot_claim_referral,
        kyc_rejected,
        wrong_wallet,
    )
}


def get(key: str) -> Diagnostic | None:
    return DIAGNOSTICS.get(key)


def run(key: str, overview) -> Diagnosis:
    return DIAGNOSTICS[key].run(overview)


__all__ = ["DIAGNOSTICS", "Check", "Diagnosis", "Diagnostic", "get", "run"]
