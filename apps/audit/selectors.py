"""Reads of the audit trail, restricted to what the user may see (all or nothing)."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.policy import restrict
from apps.audit.models import CHAINED_MODELS

KINDS = ("changes", "events", "access")
VIEW_PERMISSION = "audit.view_audit_trail"
EXPORT_PERMISSION = "audit.export_audit_trail"

_RELATED = {
    "changes": ("actor", "content_type"),
    "events": ("actor",),
    "access": ("actor",),
}


def trail_records(*, user, kind: str) -> QuerySet:
    """One kind of audit record, newest first, with what the lists show joined in."""
    model = CHAINED_MODELS[kind]
    queryset = model.objects.select_related(*_RELATED[kind]).order_by("-timestamp", "-id")
    return restrict(queryset, user, VIEW_PERMISSION)
