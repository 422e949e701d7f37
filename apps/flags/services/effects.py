"""What follows a state insert: the audit event, webhooks to subscribers, and after
commit the published version and the ``flag_state_changed`` signal."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.events import record_event
from apps.core.logging import get_logger
from apps.flags import evaluation
from apps.flags.models import (
    Flag,
    FlagState,
    FlagSubscription,
)
from apps.flags.services.rules import (
    _VERBS,
    EVENT_STATE_CHANGED,
    is_service_account,
)
from apps.flags.signals import flag_state_changed

log = get_logger(__name__)


# --- side effects ---------------------------------------------------------------------


def state_json(flag: Flag, row: FlagState | None) -> dict:
    if row is None:
        return {"state": flag.default_state, "default": True, "state_id": None}
    return {
        "state": row.state,
        "default": False,
        "state_id": row.pk,
        "reason": row.reason,
        "incident_ref": row.incident_ref,
        "actor": row.actor.username if row.actor_id else None,
        "since": row.effective_from.isoformat(),
        "until": row.until.isoformat() if row.until else None,
    }


def actor_json(actor) -> dict | None:
    if actor is None:
        return None
    return {
        "id": actor.pk,
        "username": actor.get_username(),
        "service_account": is_service_account(actor),
    }


def enqueue_webhooks(flag: Flag, event: str, payload: dict, *, dedupe: str) -> int:
    """One outbox message per enabled subscription that wants this flag (in the caller's
    transaction; apps.notify signs and delivers each after commit, with retries)."""
    from apps.notify.services import notification_enqueue

    subscriptions = FlagSubscription.objects.filter(
        enabled=True, channel__enabled=True
    ).select_related("channel")
    sent = 0
    for subscription in subscriptions:
        if not subscription.wants(flag.key):
            continue
        scope = payload["scope"]
        subject = _("Flag %(flag)s: %(before)s → %(after)s (%(scope)s)") % {
            "flag": flag.key,
            "before": payload["before"]["state"],
            "after": payload["after"]["state"],
            "scope": scope["kind"] if not scope["value"] else f"{scope['kind']}={scope['value']}",
        }
        body = _("Reason: %(reason)s\nBy: %(actor)s\nIncident: %(incident)s") % {
            "reason": payload.get("reason") or "-",
            "actor": (payload.get("actor") or {}).get("username") or _("the scheduler"),
            "incident": payload.get("incident") or "-",
        }
        notification_enqueue(
            channel=subscription.channel,
            subject=subject,
            body=body,
            payload=payload,
            event=event,
            dedupe_key=f"{dedupe}:ch{subscription.channel_id}",
        )
        sent += 1
    return sent


def after_commit(row: FlagState | None, previous: FlagState | None, actor) -> None:
    def publish() -> None:
        evaluation.publish_version()

    transaction.on_commit(publish, robust=True)
    if row is not None:

        def signal() -> None:
            flag_state_changed.send_robust(
                sender=FlagState, state=row, previous=previous, actor=actor
            )

        transaction.on_commit(signal, robust=True)


def insert_state(
    *,
    flag: Flag,
    cleaned: dict,
    actor,
    source: str,
    event_actor=None,
    change_request=None,
    previous: FlagState | None = None,
    now=None,
) -> FlagState:
    """Insert one state row with its audit event and webhooks (inside a transaction)."""
    now = now or timezone.now()
    row = FlagState(
        flag=flag,
        scope_kind=cleaned["scope_kind"],
        scope_value=cleaned["scope_value"],
        state=cleaned["state"],
        reason=cleaned["reason"],
        incident_ref=cleaned["incident_ref"],
        actor=actor,
        source=source,
        change_request=change_request,
        effective_from=now,
        until=cleaned["until"],
        created_at=now,
    )
    row.full_clean()
    row.save()
    event_actor = event_actor if event_actor is not None else actor
    data = {
        "flag": flag.key,
        "state_id": row.pk,
        "scope_kind": row.scope_kind,
        "scope_value": row.scope_value,
        "state": row.state,
        "previous_state": previous.state if previous else flag.default_state,
        "previous_state_id": previous.pk if previous else None,
        "reason": row.reason,
        "incident_ref": row.incident_ref,
        "until": row.until.isoformat() if row.until else None,
        "source": source,
        "change_request": change_request.pk if change_request else None,
    }
    record_event(f"flag.{_VERBS[row.state]}", actor=event_actor, target=row, data=data)
    log.info(
        f"flag.{_VERBS[row.state]}",
        flag=flag.key,
        scope=row.scope_label,
        state_id=row.pk,
        actor=getattr(event_actor, "pk", None),
        source=source,
        incident=row.incident_ref or None,
    )
    payload = {
        "event": EVENT_STATE_CHANGED,
        "flag": flag.key,
        "kind": flag.kind,
        "fund_related": flag.fund_related,
        "scope": {"kind": row.scope_kind, "value": row.scope_value},
        "before": state_json(flag, previous),
        "after": state_json(flag, row),
        "actor": actor_json(actor),
        "approved_by": actor_json(event_actor) if change_request is not None else None,
        "reason": row.reason,
        "incident": row.incident_ref or None,
        "source": source,
        "change_request": change_request.pk if change_request else None,
        "occurred_at": row.effective_from.isoformat(),
    }
    enqueue_webhooks(flag, EVENT_STATE_CHANGED, payload, dedupe=f"flags:state:{row.pk}")
    after_commit(row, previous, event_actor)
    return row
