"""Every write of the notify app: channels, contact methods, the outbox.

Delivery itself lives in apps.notify.delivery (re-exported here); these services decide
what to send and write the outbox rows, and a Celery task picks them up after commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.policy import can
from apps.core.events import record_event
from apps.notify.delivery import (  # noqa: F401  (re-exported: the service surface)
    TEST_EVENT,
    Outcome,
    outbox_claim,
    outbox_deliver,
    outbox_sweep,
)
from apps.notify.models import Channel, ContactMethod, OutboxMessage, OutboxStatus

MANAGE_CHANNEL = "notify.manage_channel"


def _require(actor, permission: str) -> None:
    if not can(actor, permission):
        raise PermissionDenied(_("You may not do this."))


def _schedule_delivery(message: OutboxMessage) -> None:
    from apps.notify.tasks import outbox_deliver_task

    message_id = str(message.pk)
    transaction.on_commit(lambda: outbox_deliver_task.delay(message_id))


# --- channels ----------------------------------------------------------------------------


@transaction.atomic
def channel_create(
    *,
    actor,
    name: str,
    kind: str,
    config: dict | None = None,
    secret: str = "",
    enabled: bool = True,
) -> Channel:
    _require(actor, MANAGE_CHANNEL)
    channel = Channel(
        name=(name or "").strip(),
        kind=kind,
        config=config if config is not None else {},
        secret=secret or "",
        enabled=enabled,
        created_by=actor,
    )
    channel.full_clean()
    channel.save()
    record_event(
        "notify.channel_created",
        actor=actor,
        target=channel,
        data={"kind": channel.kind, "name": channel.name, "secret_set": channel.has_secret},
    )
    return channel


@transaction.atomic
def channel_update(
    *,
    actor,
    channel: Channel,
    name: str | None = None,
    config: dict | None = None,
    secret: str | None = None,
    enabled: bool | None = None,
) -> Channel:
    """Change a channel. ``secret=None`` keeps the stored secret; a value replaces it.

    The kind cannot change: make a new channel instead.
    """
    _require(actor, MANAGE_CHANNEL)
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    changed = []
    if name is not None and name.strip() != channel.name:
        channel.name = name.strip()
        changed.append("name")
    if config is not None and config != channel.config:
        channel.config = config
        changed.append("config")
    if secret is not None and secret != "":
        channel.secret = secret
        changed.append("secret")
    if enabled is not None and enabled != channel.enabled:
        channel.enabled = enabled
        changed.append("enabled")
    channel.full_clean()
    if changed:
        channel.save()
        record_event(
            "notify.channel_updated", actor=actor, target=channel, data={"changed": changed}
        )
    return channel


@transaction.atomic
def channel_disable(*, actor, channel: Channel) -> Channel:
    _require(actor, MANAGE_CHANNEL)
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if channel.enabled:
        channel.enabled = False
        channel.save(update_fields=["enabled", "updated_at"])
        record_event("notify.channel_disabled", actor=actor, target=channel)
    return channel


@transaction.atomic
def channel_send_test(*, actor, channel: Channel) -> OutboxMessage:
    _require(actor, MANAGE_CHANNEL)
    if not channel.enabled:
        raise ValidationError({"channel": _("The channel is disabled; enable it first.")})
    message = notification_enqueue(
        channel=channel,
        subject=_("OpsPortal test message"),
        body=_("%(person)s sent this test to check that channel %(channel)s works.")
        % {"person": actor, "channel": channel.name},
        event=TEST_EVENT,
        payload={"test": True, "requested_by": str(actor)},
    )
    record_event(
        "notify.test_sent", actor=actor, target=channel, data={"message_id": str(message.pk)}
    )
    return message


# --- contact methods ---------------------------------------------------------------------


def _require_own(actor, contact_method: ContactMethod) -> None:
    if actor is None or not actor.is_authenticated or contact_method.user_id != actor.pk:
        raise PermissionDenied(_("You may only manage your own contact methods."))


@transaction.atomic
def contact_method_create(
    *,
    actor,
    kind: str,
    target: str = "",
    secret: str = "",
    label: str = "",
) -> ContactMethod:
    """Add a way to reach the acting person (a person manages only their own)."""
    if actor is None or not actor.is_authenticated or actor.is_service_account:
        raise PermissionDenied(_("Only people have contact methods."))
    method = ContactMethod(
        user=actor,
        kind=kind,
        target=(target or "").strip(),
        secret=secret or "",
        label=(label or "").strip(),
    )
    method.full_clean()
    method.save()
    record_event(
        "notify.contact_method_created",
        actor=actor,
        target=method,
        data={"kind": method.kind, "secret_set": method.has_secret},
    )
    return method


@transaction.atomic
def contact_method_delete(*, actor, contact_method: ContactMethod) -> None:
    _require_own(actor, contact_method)
    record_event(
        "notify.contact_method_deleted",
        actor=actor,
        target=contact_method,
        data={"kind": contact_method.kind},
    )
    contact_method.delete()


@transaction.atomic
def contact_method_send_test(*, actor, contact_method: ContactMethod) -> OutboxMessage:
    _require_own(actor, contact_method)
    message = notification_enqueue(
        contact_method=contact_method,
        subject=_("OpsPortal test message"),
        body=_("This test checks that OpsPortal can reach %(person)s here.") % {"person": actor},
        event=TEST_EVENT,
        payload={"test": True},
    )
    record_event(
        "notify.test_sent",
        actor=actor,
        target=contact_method,
        data={"message_id": str(message.pk)},
    )
    return message


# --- the outbox --------------------------------------------------------------------------


@transaction.atomic
def notification_enqueue(
    *,
    channel: Channel | None = None,
    contact_method: ContactMethod | None = None,
    subject: str,
    body: str,
    payload: dict | None = None,
    event: str = "",
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Write an outbox message to one channel or contact method; deliver after commit.

    With ``dedupe_key`` a second call with the same key returns the first message and
    sends nothing.
    """
    if dedupe_key:
        existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    message = OutboxMessage(
        channel=channel,
        contact_method=contact_method,
        subject=subject,
        body=body,
        payload=payload or {},
        event=event,
        dedupe_key=dedupe_key or None,
    )
    message.full_clean()
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        existing = (
            OutboxMessage.objects.filter(dedupe_key=dedupe_key).first() if dedupe_key else None
        )
        if existing is None:
            raise
        return existing
    _schedule_delivery(message)
    return message


def channel_message_enqueue(
    *,
    channel_name: str,
    subject: str,
    body: str,
    payload: dict | None = None,
    event: str = "",
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Queue a message to the enabled channel named ``channel_name``; None if there is none.

    The sender behind ``apps.core.channel_messages.send_to_channel``, for apps that may not
    import this one (the audit anchors).
    """
    channel = Channel.objects.filter(name=channel_name, enabled=True).first()
    if channel is None:
        return None
    return notification_enqueue(
        channel=channel,
        subject=subject,
        body=body,
        payload=payload,
        event=event,
        dedupe_key=dedupe_key,
    )


@transaction.atomic
def notify_people(
    *,
    users: Iterable,
    subject: str,
    body: str,
    payload: dict | None = None,
    event: str = "",
    dedupe_key: str | None = None,
) -> list[OutboxMessage]:
    """Send a message to every contact method of each active person in ``users``."""
    user_ids = [getattr(user, "pk", user) for user in users]
    methods = ContactMethod.objects.filter(
        user_id__in=user_ids, user__is_active=True, user__is_service_account=False
    ).order_by("user_id", "id")
    return [
        notification_enqueue(
            contact_method=method,
            subject=subject,
            body=body,
            payload=payload,
            event=event,
            dedupe_key=f"{dedupe_key}:cm{method.pk}" if dedupe_key else None,
        )
        for method in methods
    ]


@transaction.atomic
def outbox_retry(*, actor, message: OutboxMessage) -> OutboxMessage:
    """Put a dead letter back in the queue with a fresh set of attempts."""
    _require(actor, MANAGE_CHANNEL)
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != OutboxStatus.DEAD:
        raise ValidationError({"status": _("Only dead letters can be retried.")})
    previous_attempts = message.attempts
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.lease_until = None
    message.full_clean()
    message.save(update_fields=["status", "attempts", "next_attempt_at", "lease_until"])
    record_event(
        "notify.outbox_retried",
        actor=actor,
        target=message,
        data={"previous_attempts": previous_attempts, "last_error": message.last_error},
    )
    _schedule_delivery(message)
    return message
