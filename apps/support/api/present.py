"""Turning read-model rows into API answers, masked for the caller."""

from __future__ import annotations

from django.urls import reverse

from apps.support.privacy import customer_pii


def customer_ref(customer, *, revealed: bool) -> dict | None:
    if customer is None:
        return None
    pii = customer_pii(customer, revealed=revealed)
    return {
        "id": customer.pk,
        "external_id": customer.external_id,
        "handle": customer.handle,
        "email": pii["email"],
        "display_name": pii["display_name"],
        "masked": pii["masked"],
        "url": reverse("api:support_customer", args=[customer.pk]),
    }


def transaction_out(tx, *, show_amounts: bool, stuck: bool = False) -> dict:
    return {
        "id": tx.pk,
        "network": tx.network,
        "hash": tx.tx_hash,
        "kind": tx.kind,
        "status": tx.status,
        "stuck": stuck,
        "amount": str(tx.amount) if show_amounts else None,
        "asset": tx.asset,
        "round": tx.round_ref,
        "submitted_at": tx.submitted_at.isoformat(),
        "confirmed_at": tx.confirmed_at.isoformat() if tx.confirmed_at else None,
        "failure_reason": tx.failure_reason,
        "attempts": tx.attempts,
        "customer": tx.customer.external_id if tx.customer_id else None,
        "url": reverse("api:support_transaction", args=[tx.pk]),
    }


def round_out(round_) -> dict | None:
    if round_ is None:
        return None
    return {
        "round_id": round_.round_id,
        "project": round_.project_name,
        "network": round_.network,
        "status": round_.status,
        "result": round_.result,
    }


def claim_out(claim, *, show_amounts: bool) -> dict:
    return {
        "claim_id": claim.claim_id,
        "claim_type": claim.claim_type,
        "round": claim.round_ref,
        "network": claim.network,
        "status": claim.status,
        "amount": str(claim.amount) if show_amounts else None,
        "asset": claim.asset,
        "failure_reason": claim.failure_reason,
        "hash": claim.tx_hash,
    }


def refund_out(refund, *, show_amounts: bool) -> dict:
    return {
        "refund_id": refund.refund_id,
        "round": refund.round_ref,
        "network": refund.network,
        "status": refund.status,
        "amount": str(refund.amount) if show_amounts else None,
        "asset": refund.asset,
        "failure_reason": refund.failure_reason,
        "hash": refund.tx_hash,
    }
