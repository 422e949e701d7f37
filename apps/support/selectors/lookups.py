"""The access log of support lookups, read for sampling by support leads."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from apps.audit.models import AccessLogEntry
from apps.support.services.access import WHATS


def _support_rows(days: int):
    since = timezone.now() - timedelta(days=days)
    return AccessLogEntry.objects.filter(what__in=WHATS, timestamp__gte=since)


def lookups_by_agent(*, days: int) -> list[dict]:
    """Per agent: lookups in the period by kind, most active first."""
    rows = (
        _support_rows(days)
        .values("actor_id", "actor_repr")
        .annotate(
            total=Count("id"),
            searches=Count("id", filter=Q(what="support.search")),
            customer_views=Count("id", filter=Q(what="support.customer_view")),
            transaction_views=Count("id", filter=Q(what="support.transaction_view")),
            diagnostics=Count("id", filter=Q(what="support.diagnostic")),
            reveals=Count("id", filter=Q(what="support.reveal_pii")),
            without_ticket=Count("id", filter=Q(ticket="")),
        )
        .order_by("-total", "actor_repr")
    )
    return list(rows)


def lookup_sample(*, actor_id: int, days: int, size: int, seed: str) -> list[AccessLogEntry]:
    """A reproducible random sample (by ``seed``) of the agent's latest 1,000 lookups."""
    recent = list(
        _support_rows(days).filter(actor_id=actor_id).order_by("-timestamp", "-id")[:1000]
    )
    chooser = random.Random(seed)  # noqa: S311  (sampling for review, not security)
    picked = chooser.sample(recent, min(size, len(recent)))
    picked.sort(key=lambda entry: entry.timestamp, reverse=True)
    return picked
