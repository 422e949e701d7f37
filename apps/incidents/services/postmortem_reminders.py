"""Reminders about post-mortems and their action items (run by the beat every few minutes).

- A post-mortem not yet published: its owner is told ``POSTMORTEM_REMINDER_BEFORE_HOURS``
  before it is due, at the due time, and then every ``POSTMORTEM_REMINDER_REPEAT_HOURS``
  until it is published.
- An open or in-progress action item past its due date: its owner is told the day after,
  and then every ``ACTION_ITEM_REMINDER_REPEAT_HOURS`` until it is done — whether or not
  the incident has closed.

Each reminder belongs to a period ("before", "overdue-0", "overdue-1", …). The row keeps
the last period it was reminded of (``last_reminder_key``), moved with a conditional update,
and the outbox de-duplicates by the same key: however often the task runs, and with two
workers at once, one message goes out per period.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.logging import get_logger
from apps.incidents.models import ACTION_ITEM_OPEN_STATUSES, ActionItem, PostMortem, PostMortemState
from apps.notify.services import notify_people

log = get_logger(__name__)

EVENT_POSTMORTEM = "incidents.postmortem_reminder"
EVENT_ACTION_ITEM = "incidents.action_item_reminder"


def _hours(name: str, default: float) -> timedelta:
    return timedelta(hours=float(getattr(settings, name, default)))


def _period(now: datetime, due_at: datetime, before: timedelta, repeat: timedelta) -> str | None:
    """Which reminder period ``now`` is in for something due at ``due_at`` (None: too early)."""
    if now < due_at - before:
        return None
    if now < due_at:
        return "before"
    index = int((now - due_at) / repeat) if repeat > timedelta(0) else 0
    return f"overdue-{index}"


def _claim(model, pk: int, old_key: str, new_key: str, now: datetime) -> bool:
    """Move the row's reminder period from ``old_key`` to ``new_key``; False if another run
    did it first."""
    return bool(
        model.objects.filter(pk=pk, last_reminder_key=old_key).update(
            last_reminder_key=new_key,
            last_reminded_at=now,
            reminders_sent=F("reminders_sent") + 1,
        )
    )


def _link(name: str, *args) -> str:
    return settings.PORTAL_BASE_URL + reverse(name, args=args)


def postmortem_reminders_send(*, now: datetime | None = None) -> int:
    """Remind owners of post-mortems due soon or overdue; returns how many were reminded."""
    now = now or timezone.now()
    before = _hours("POSTMORTEM_REMINDER_BEFORE_HOURS", 12)
    repeat = _hours("POSTMORTEM_REMINDER_REPEAT_HOURS", 24)
    candidates = (
        PostMortem.objects.exclude(state=PostMortemState.PUBLISHED)
        .filter(due_at__isnull=False, due_at__lte=now + before)
        .select_related("incident", "incident__severity", "owner")
        .order_by("due_at", "id")
    )
    sent = 0
    for postmortem in candidates:
        key = _period(now, postmortem.due_at, before, repeat)
        if key is None or key == postmortem.last_reminder_key:
            continue
        with transaction.atomic():
            if not _claim(PostMortem, postmortem.pk, postmortem.last_reminder_key, key, now):
                continue
            incident = postmortem.incident
            if key == "before":
                subject = _("Post-mortem of %(number)s is due soon") % {"number": incident.number}
            else:
                subject = _("Post-mortem of %(number)s is overdue") % {"number": incident.number}
            due = timezone.localtime(postmortem.due_at).strftime("%Y-%m-%d %H:%M %Z")
            body = _(
                "The post-mortem of %(number)s (%(title)s) is due %(due)s and is not published "
                "yet (%(state)s). %(link)s"
            ) % {
                "number": incident.number,
                "title": incident.title,
                "due": due,
                "state": PostMortemState(postmortem.state).label,
                "link": _link("incidents:postmortem", incident.number),
            }
            notify_people(
                users=[postmortem.owner],
                subject=subject,
                body=body,
                payload={
                    "incident": incident.number,
                    "postmortem_id": postmortem.pk,
                    "due_at": postmortem.due_at.isoformat(),
                    "period": key,
                },
                event=EVENT_POSTMORTEM,
                dedupe_key=f"incidents.postmortem:{postmortem.pk}:{key}",
            )
        sent += 1
        log.info("postmortem.reminded", postmortem=postmortem.pk, period=key)
    return sent


def overdue_since(due_date) -> datetime:
    """An action item is overdue from the start of the day after its due date."""
    return timezone.make_aware(
        datetime.combine(due_date + timedelta(days=1), time.min),
        timezone.get_current_timezone(),
    )


def action_item_reminders_send(*, now: datetime | None = None) -> int:
    """Remind owners of overdue open action items; returns how many were reminded."""
    now = now or timezone.now()
    repeat = _hours("ACTION_ITEM_REMINDER_REPEAT_HOURS", 24)
    today = timezone.localdate(now)
    candidates = (
        ActionItem.objects.filter(status__in=ACTION_ITEM_OPEN_STATUSES, due_date__lt=today)
        .select_related("postmortem__incident", "owner")
        .order_by("due_date", "id")
    )
    sent = 0
    for item in candidates:
        key = _period(now, overdue_since(item.due_date), timedelta(0), repeat)
        if key is None or key == item.last_reminder_key:
            continue
        with transaction.atomic():
            if not _claim(ActionItem, item.pk, item.last_reminder_key, key, now):
                continue
            incident = item.postmortem.incident
            notify_people(
                users=[item.owner],
                subject=_("Action item overdue: %(title)s") % {"title": item.title},
                body=_(
                    "The action item “%(title)s” from the post-mortem of %(number)s was due "
                    "%(due)s and is still %(status)s. %(link)s"
                )
                % {
                    "title": item.title,
                    "number": incident.number,
                    "due": item.due_date.isoformat(),
                    "status": item.get_status_display(),
                    "link": _link("incidents:action_item_edit", item.pk),
                },
                payload={
                    "incident": incident.number,
                    "action_item_id": item.pk,
                    "due_date": item.due_date.isoformat(),
                    "period": key,
                },
                event=EVENT_ACTION_ITEM,
                dedupe_key=f"incidents.action_item:{item.pk}:{key}",
            )
        sent += 1
        log.info("action_item.reminded", item=item.pk, period=key)
    return sent
