"""Reads of the notify app, restricted to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.policy import can
from apps.notify.models import Channel, ContactMethod, OutboxMessage, OutboxStatus


def channel_list(*, user) -> QuerySet[Channel]:
    if not can(user, "notify.view_channel"):
        return Channel.objects.none()
    return Channel.objects.select_related("created_by").order_by("name")


def outbox_list(*, user, status: str | None = None) -> QuerySet[OutboxMessage]:
    if not can(user, "notify.view_outbox"):
        return OutboxMessage.objects.none()
    messages = OutboxMessage.objects.select_related(
        "channel", "contact_method", "contact_method__user"
    ).order_by("-created_at")
    if status in OutboxStatus.values:
        messages = messages.filter(status=status)
    return messages


def contact_method_list(*, user) -> QuerySet[ContactMethod]:
    """A person's own contact methods (nobody lists another person's)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ContactMethod.objects.none()
    return ContactMethod.objects.filter(user=user).order_by("kind", "id")
