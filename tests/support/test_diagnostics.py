"""The playbook's checks per top case, on crafted customers: passing and failing for
different reasons (three or more per case)."""

from __future__ import annotations

import pytest

from apps.flags.services import flag_state_set
from apps.support import diagnostics
from apps.support.selectors.customers import customer_overview
from tests.support.factories import (
    ago,
    ahead,
    claim,
    customer,
    refund,
    round_,
    transaction,
    wallet,
)


def _diagnose(case, who):
    return diagnostics.run(case, customer_overview(customer=who))


def _check(diagnosis, key):
    return next(c for c in diagnosis.checks if c.key == key)


@pytest.fixture
def ops(make_user):
    return make_user("ops", username="diag-ops")


# --- refund failed --------------------------------------------------------------------------


def test_refund_failed__no_primary_wallet__asks_for_one():
    who = customer()
    wallet(who, network="bsc")
    round_(7, status="cancelled", result="failed")
    refund(who, 7, status="owed")

    diagnosis = _diagnose("refund_failed", who)

    assert diagnosis.verdict == "no_primary_wallet"
    assert _check(diagnosis, "primary_wallet").passed is False
    assert _check(diagnosis, "round_failed").passed is True


def test_refund_failed__confirmed_refund_tx__completed_with_hash():
    who = customer()
    wallet(who)
    round_(8, result="failed", status="cancelled")
    tx = transaction(who, kind="refund", round=8)
    refund(who, 8, status="completed", hash=tx["hash"])

    diagnosis = _diagnose("refund_failed", who)

    assert diagnosis.verdict == "completed"
    assert diagnosis.values["tx_hash"] == tx["hash"]
    assert _check(diagnosis, "refund_tx").passed is True


def test_refund_failed__pending_past_threshold__stuck():
    who = customer()
    wallet(who)
    round_(9, result="failed", status="cancelled")
    tx = transaction(who, kind="refund", status="pending", submitted_at=ago(minutes=40))
    refund(who, 9, status="pending", hash=tx["hash"])

    diagnosis = _diagnose("refund_failed", who)

    assert diagnosis.verdict == "stuck"
    assert "stuck" in _check(diagnosis, "refund_tx").evidence


def test_refund_failed__round_succeeded__not_eligible():
    who = customer()
    wallet(who)
    round_(10, result="success")
    refund(who, 10, status="failed")

    assert _diagnose("refund_failed", who).verdict == "round_not_failed"


def test_refund_failed__refunds_blocked_on_network__paused(ops):
    who = customer()
    wallet(who)
    round_(11, result="failed", status="cancelled")
    refund(who, 11, status="owed")
    flag_state_set(
        actor=ops,
        flag="refund",
        state="blocked",
        scope_kind="network",
        scope_value="ethereum",
        reason="reconcile",
    )

    diagnosis = _diagnose("refund_failed", who)

    assert diagnosis.verdict == "paused"
    assert "reconcile" in _check(diagnosis, "refund_allowed").evidence


def test_refund_failed__failed_tx__escalate():
    who = customer()
    wallet(who)
    round_(12, result="failed", status="cancelled")
    tx = transaction(who, kind="refund", status="failed", failure_reason="out of gas")
    refund(who, 12, status="failed", hash=tx["hash"])

    diagnosis = _diagnose("refund_failed", who)

    assert diagnosis.verdict == "failed"
    assert diagnosis.values["failure_reason"] == "out of gas"


# --- vesting claim failed -------------------------------------------------------------------


def test_vesting__pending_claim_tx__wait():
    who = customer()
    wallet(who)
    claim(who, status="pending")
    transaction(who, kind="claim", status="pending", submitted_at=ago(minutes=3))

    diagnosis = _diagnose("vesting_claim_failed", who)

    assert diagnosis.verdict == "pending_tx"
    assert _check(diagnosis, "no_pending_claim").passed is False


def test_vesting__locked__not_yet():
    who = customer()
    wallet(who)
    claim(who, status="locked")

    assert _diagnose("vesting_claim_failed", who).verdict == "locked"


def test_vesting__no_wallet_on_claim_network__no_primary_wallet():
    who = customer()
    wallet(who, network="tron")
    claim(who, status="claimable", network="ethereum")

    diagnosis = _diagnose("vesting_claim_failed", who)

    assert diagnosis.verdict == "no_primary_wallet"
    assert _check(diagnosis, "claimable").passed is True


def test_vesting__claimable_and_clear__ready():
    who = customer()
    wallet(who)
    claim(who, status="claimable")

    diagnosis = _diagnose("vesting_claim_failed", who)

    assert diagnosis.verdict == "ready"
    assert all(c.passed is not False for c in diagnosis.checks)


def test_vesting__vesting_claims_blocked__paused(ops):
    who = customer()
    wallet(who)
    claim(who, status="claimable")
    flag_state_set(
        actor=ops,
        flag="claim",
        state="blocked",
        scope_kind="claim_type",
        scope_value="vesting",
        reason="vesting contract upgrade",
    )

    assert _diagnose("vesting_claim_failed", who).verdict == "paused"


# --- cannot post ----------------------------------------------------------------------------


def test_cannot_post__no_bluecheck__buy_one():
    who = customer(bluecheck_status="none")

    diagnosis = _diagnose("cannot_post", who)

    assert diagnosis.verdict == "no_bluecheck"
    assert _check(diagnosis, "bluecheck_active").passed is False


def test_cannot_post__expired_bluecheck__no_bluecheck():
    who = customer(bluecheck_status="active", bluecheck_expires_at=ago(days=1))

    assert _diagnose("cannot_post", who).verdict == "no_bluecheck"


def test_cannot_post__posting_blocked_for_user__blocked(make_user):
    who = customer(bluecheck_status="active", bluecheck_expires_at=ahead(days=30))
    flag_state_set(
        actor=make_user("support"),
        flag="feed.post",
        state="blocked",
        scope_kind="user",
        scope_value=who.external_id,
        reason="spam burst",
    )

    diagnosis = _diagnose("cannot_post", who)

    assert diagnosis.verdict == "posting_blocked"
    assert "spam burst" in _check(diagnosis, "feed.post_allowed").evidence


def test_cannot_post__banned__banned():
    assert _diagnose("cannot_post", customer(banned=True)).verdict == "banned"


def test_cannot_post__all_clear__ok():
    who = customer(bluecheck_status="active", bluecheck_expires_at=ahead(days=3))

    assert _diagnose("cannot_post", who).verdict == "ok"


# --- cannot claim referral ------------------------------------------------------------------


def test_referral__no_active_referrals__explains_rule():
    who = customer(bluecheck_status="active", active_referral_count=0)

    diagnosis = _diagnose("cannot_claim_referral", who)

    assert diagnosis.verdict == "no_active_referrals"
    assert _check(diagnosis, "bluecheck_active").passed is True
    assert _check(diagnosis, "active_referrals").passed is False


def test_referral__no_bluecheck__needs_one():
    who = customer(bluecheck_status="revoked", active_referral_count=3)

    assert _diagnose("cannot_claim_referral", who).verdict == "no_bluecheck"


def test_referral__claims_frozen_for_user__frozen(make_user):
    who = customer(bluecheck_status="active", active_referral_count=2)
    flag_state_set(
        actor=make_user("support"),
        flag="claim",
        state="blocked",
        scope_kind="user",
        scope_value=who.external_id,
        reason="referral farming",
    )

    assert _diagnose("cannot_claim_referral", who).verdict == "frozen"


def test_referral__referral_claims_paused_globally__paused(ops):
    who = customer(bluecheck_status="active", active_referral_count=2)
    flag_state_set(
        actor=ops,
        flag="claim",
        state="blocked",
        scope_kind="claim_type",
        scope_value="referral",
        reason="patch rollout",
    )

    assert _diagnose("cannot_claim_referral", who).verdict == "paused"


def test_referral__pending_claim_tx__wait():
    who = customer(bluecheck_status="active", active_referral_count=1)
    transaction(who, kind="claim", status="pending", submitted_at=ago(minutes=2))

    assert _diagnose("cannot_claim_referral", who).verdict == "pending_tx"


def test_referral__all_rules_met__ok():
    who = customer(bluecheck_status="active", active_referral_count=4)

    assert _diagnose("cannot_claim_referral", who).verdict == "ok"


# --- KYC rejected ---------------------------------------------------------------------------


def test_kyc__rejected_with_reason__resubmit_reply_values():
    who = customer(kyc_status="rejected", kyc_rejection_reason="Document expired")

    diagnosis = _diagnose("kyc_rejected", who)

    assert diagnosis.verdict == "rejected"
    assert diagnosis.values["kyc_reason"] == "Document expired"


def test_kyc__rejected_without_reason__ask_compliance():
    who = customer(kyc_status="rejected")

    diagnosis = _diagnose("kyc_rejected", who)

    assert diagnosis.verdict == "rejected_no_reason"
    assert _check(diagnosis, "reason_recorded").passed is False


def test_kyc__pending__wait():
    assert _diagnose("kyc_rejected", customer(kyc_status="pending")).verdict == "pending"


def test_kyc__approved__nothing_rejected():
    assert _diagnose("kyc_rejected", customer(kyc_status="approved")).verdict == "approved"


# --- wrong wallet ---------------------------------------------------------------------------


def test_wrong_wallet__payout_in_flight__wait():
    who = customer()
    wallet(who)
    transaction(who, kind="payout", status="pending", submitted_at=ago(minutes=1))

    diagnosis = _diagnose("wrong_wallet", who)

    assert diagnosis.verdict == "wait_pending"
    assert _check(diagnosis, "nothing_in_flight").passed is False


def test_wrong_wallet__nothing_in_flight__procedure():
    who = customer()
    linked = wallet(who)

    diagnosis = _diagnose("wrong_wallet", who)

    assert diagnosis.verdict == "can_change"
    assert diagnosis.values["primary_wallet"] == linked["address"]


def test_wrong_wallet__no_wallet__link_one():
    assert _diagnose("wrong_wallet", customer()).verdict == "no_wallet"


def test_wrong_wallet__claim_being_paid__wait():
    who = customer()
    wallet(who)
    claim(who, status="pending")

    assert _diagnose("wrong_wallet", who).verdict == "wait_pending"


# --- every verdict has a reply ---------------------------------------------------------------


def test_every_case__verdict_or_case_reply__in_three_languages():
    from apps.support.models import CannedReply
    from apps.support.replies import choose

    replies = list(CannedReply.objects.all())
    for key, diagnostic in diagnostics.DIAGNOSTICS.items():
        for verdict in diagnostic.verdicts:
            for language in ("en", "id", "ru"):
                reply, fell_back = choose(f"{key}.{verdict}", language, replies)
                assert reply is not None and not fell_back, (key, verdict, language)
