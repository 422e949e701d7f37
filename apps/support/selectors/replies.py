"""Reads of canned replies: everyone who looks customers up reads them; leads edit them."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from apps.accounts.policy import restrict
from apps.support.models import CannedReply

VIEW = "support.view_customer"


def reply_list(*, user) -> QuerySet[CannedReply]:
    """The replies by key and language, each with ``use_count``; people only (no token
    scope reads them)."""
    return restrict(
        CannedReply.objects.annotate(use_count=Count("uses")).order_by("key", "language"),
        user,
        VIEW,
    )


def reply_get(*, user, pk, perm: str = VIEW) -> CannedReply | None:
    """One reply if ``user`` holds ``perm`` (reading it, or ``support.manage_cannedreply``
    to change it); None otherwise or when there is no such reply."""
    return restrict(CannedReply.objects.all(), user, perm).filter(pk=pk).first()
