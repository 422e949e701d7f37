"""Reads for the support leads page: the people who may be made a support lead."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet


def support_people() -> QuerySet:
    """Active people in the support role, by username (the page's rule is checked first)."""
    return (
        get_user_model()
        .objects.filter(groups__name="support", is_active=True, is_service_account=False)
        .order_by("username")
        .distinct()
    )


def person_get(*, pk) -> object | None:
    """The person (never a service account) with ``pk``, if any."""
    return get_user_model().objects.filter(pk=pk, is_service_account=False).first()
