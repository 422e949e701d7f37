"""A person's own preferences (time zone, language)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.events import record_event


@transaction.atomic
def preferences_update(*, actor, user, timezone: str, language: str):
    """Set ``user``'s time zone and language; only the person themself may. Returns the user."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("Only the person themself can change these preferences."))
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    before = {"timezone": user.timezone, "language": user.language}
    user.timezone = timezone
    user.language = language
    user.full_clean()
    after = {"timezone": user.timezone, "language": user.language}
    if after != before:
        user.save(update_fields=["timezone", "language"])
        record_event(
            "account.preferences_changed",
            actor=actor,
            target=user,
            data={"before": before, "after": after},
        )
    return user
