"""Notify channels subscribed to flag changes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.policy import can
from apps.core.events import record_event
from apps.core.logging import get_logger
from apps.flags.models import (
    Flag,
    FlagSubscription,
)
from apps.flags.services.rules import (
    PERM_SUBSCRIBE,
    is_service_account,
)

log = get_logger(__name__)


# --- subscriptions --------------------------------------------------------------------


@transaction.atomic
def flag_subscription_create(*, actor, channel, flag_keys=()) -> FlagSubscription:
    """Subscribe a notify channel to flag changes (every flag, or the keys given)."""
    if actor is None or is_service_account(actor) or not can(actor, PERM_SUBSCRIBE):
        raise PermissionDenied(_("You may not manage channels."))
    keys = sorted(set(flag_keys or ()))
    known = set(Flag.objects.filter(key__in=keys).values_list("key", flat=True))
    unknown = [k for k in keys if k not in known]
    errors = {}
    if unknown:
        errors["flag_keys"] = [_("Unknown flags: %(keys)s.") % {"keys": ", ".join(unknown)}]
    if FlagSubscription.objects.filter(channel=channel).exists():
        errors["channel"] = [_("This channel is already subscribed.")]
    if errors:
        raise ValidationError(errors)
    subscription = FlagSubscription.objects.create(
        channel=channel, flag_keys=keys, created_by=actor
    )
    record_event(
        "flag.subscription_created",
        actor=actor,
        target=subscription,
        data={"channel": channel.pk, "flag_keys": keys},
    )
    return subscription


@transaction.atomic
def flag_subscription_set_enabled(*, actor, subscription, enabled: bool) -> FlagSubscription:
    if actor is None or is_service_account(actor) or not can(actor, PERM_SUBSCRIBE):
        raise PermissionDenied(_("You may not manage channels."))
    subscription = FlagSubscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.enabled != enabled:
        subscription.enabled = enabled
        subscription.save(update_fields=["enabled"])
        record_event(
            "flag.subscription_enabled" if enabled else "flag.subscription_disabled",
            actor=actor,
            target=subscription,
        )
    return subscription
