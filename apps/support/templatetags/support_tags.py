"""Template helpers of the support pages: amounts in their asset's units, or masked."""

from __future__ import annotations

from decimal import Decimal

from django import template

from apps.support.privacy import HIDDEN

register = template.Library()


def format_amount(amount, network: str, asset: str, decimals: dict) -> str:
    if amount is None:
        return "—"
    places = decimals.get((network, (asset or "").upper()))
    if places is None:
        return f"{amount} {asset} (minor units)".strip()
    value = (Decimal(amount) / (Decimal(10) ** places)).normalize()
    text = f"{value:f}"
    return f"{text} {asset}".strip()


@register.simple_tag(takes_context=True)
def amount(context, value, network, asset):
    """``{% amount tx.amount tx.network tx.asset %}``: figures only for those who may."""
    if not context.get("show_amounts"):
        return f"{HIDDEN} {asset}".strip()
    return format_amount(value, network, asset, context.get("decimals") or {})


@register.filter
def minutes_ago(delta) -> int:
    return int(delta.total_seconds() // 60) if delta is not None else 0
