"""Helpers shared by the on-call services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from apps.accounts.policy import can


def require(actor, permission: str, obj=None) -> None:
    """Refuse unless ``actor`` may do ``permission`` (globally or on ``obj``)."""
    if not can(actor, permission, obj):
        raise PermissionDenied(_("You may not do this."))


def person_label(user) -> str:
    if user is None:
        return "-"
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{full} ({user.username})" if full else user.username
