"""Reads of the notify app, restricted to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.policy import restrict
from apps.notify.models import Channel, ContactMethod, OutboxMessage, OutboxStatus


def channel_list(*, user) -> QuerySet[Channel]:
    channels = Channel.objects.select_related("created_by").order_by("name")
    return restrict(channels, user, "notify.view_channel")


def outbox_list(*, user, status: str | None = None) -> QuerySet[OutboxMessage]:
    messages = restrict(
        OutboxMessage.objects.select_related(
            "channel", "contact_method", "contact_method__user"
        ).order_by("-created_at"),
        user,
        "notify.view_outbox",
    )
    if status in OutboxStatus.values:
        messages = messages.filter(status=status)
    return messages


def contact_method_list(*, user) -> QuerySet[ContactMethod]:
    """A person's own contact methods (nobody lists another person's)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ContactMethod.objects.none()
    return ContactMethod.objects.filter(user=user).order_by("kind", "id")


def reachable_user_ids(user_ids) -> set[int]:
    """Which of these people can be reached: active people with at least one verified
    contact method (a test message to it was delivered).

    Trusted code only (coverage checks, paging): it says whether someone is reachable,
    never how.
    """
    ids = {int(getattr(user, "pk", user)) for user in user_ids if user is not None}
    if not ids:
        return set()
    return set(
        ContactMethod.objects.filter(
            user_id__in=ids,
            user__is_active=True,
            user__is_service_account=False,
            verified_at__isnull=False,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
