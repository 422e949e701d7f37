"""iCal feeds at secret URLs: create, rotate, revoke, and render.

A feed lists final shifts only (after overrides and layer precedence). Each shift's UID
is derived from its schedule, source, person and start, so it stays the same from one
fetch to the next; a shift whose end moves is re-sent with a higher SEQUENCE. A shift
the feed sent before that is no longer in the final schedule (an override took it) is
sent with STATUS:CANCELLED until its time has passed, so calendar clients drop it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from apps.accounts.display import person_label
from apps.accounts.policy import can, require
from apps.core.events import record_event
from apps.oncall import selectors
from apps.oncall.models import CalendarFeed, FeedEmittedShift, Schedule
from apps.oncall.rotation import FinalShift

# Shifts that ended this long ago still appear, so a shift cut short keeps its UID.
RECENT_PAST = timedelta(days=1)
# The final schedule is computed this far around the feed's window, on day boundaries,
# so a long shift is not cut at the window's edge (and its UID does not move).
MARGIN = timedelta(days=14)
DEFAULT_DAYS = 60


def feed_path(token: str) -> str:
    return reverse("warroom:ical_feed", args=[token])


@transaction.atomic
def feed_create(
    *, actor, kind: str, schedule: Schedule | None = None, days: int = DEFAULT_DAYS
) -> tuple[CalendarFeed, str]:
    """Make a feed; returns it and its token (shown once, never stored in clear)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.is_service_account:
        raise PermissionDenied(_("Only people have calendar feeds."))
    if kind == CalendarFeed.Kind.SCHEDULE:
        require(actor, "oncall.view_schedule", schedule)
        if schedule is None:
            raise ValidationError({"schedule": _("Choose a schedule.")})
        feed = CalendarFeed(kind=kind, schedule=schedule, owner=actor, days=days)
    elif kind == CalendarFeed.Kind.PERSON:
        require(actor, "oncall.view_schedule")
        feed = CalendarFeed(kind=kind, person=actor, owner=actor, days=days)
    else:
        raise ValidationError({"kind": _("Choose a schedule feed or a personal feed.")})
    token = CalendarFeed.generate_token()
    feed.token_hash = CalendarFeed.hash_token(token)
    feed.hint = token[:6]
    feed.full_clean()
    feed.save()
    record_event(
        "calendar_feed.created",
        actor=actor,
        target=feed,
        data={"kind": kind, "schedule": schedule.pk if schedule else None, "days": days},
    )
    return feed, token


def _require_owner(actor, feed: CalendarFeed) -> None:
    if getattr(actor, "pk", None) != feed.owner_id and not can(actor, "oncall.change_schedule"):
        raise PermissionDenied(_("Only the feed's owner may change it."))


@transaction.atomic
def feed_revoke(*, actor, feed: CalendarFeed) -> CalendarFeed:
    _require_owner(actor, feed)
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        record_event("calendar_feed.revoked", actor=actor, target=feed, data={"kind": feed.kind})
    return feed


@transaction.atomic
def feed_rotate(*, actor, feed: CalendarFeed) -> tuple[CalendarFeed, str]:
    """Revoke ``feed`` and make a new one for the same thing; returns the new token."""
    _require_owner(actor, feed)
    feed_revoke(actor=actor, feed=feed)
    if feed.kind == CalendarFeed.Kind.SCHEDULE:
        return feed_create(actor=feed.owner, kind=feed.kind, schedule=feed.schedule, days=feed.days)
    return feed_create(actor=feed.owner, kind=feed.kind, days=feed.days)


# --- rendering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedShift:
    uid: str
    schedule: Schedule
    shift: FinalShift


def shift_uid(schedule: Schedule, shift: FinalShift) -> str:
    raw = f"{schedule.pk}|{shift.source}|{shift.user_id}|{shift.start.isoformat()}"
    return f"{hashlib.sha256(raw.encode()).hexdigest()[:32]}@opsportal-warroom"


def _day_floor(instant: datetime) -> datetime:
    return instant.replace(hour=0, minute=0, second=0, microsecond=0)


def feed_shifts(feed: CalendarFeed, now: datetime) -> list[FeedShift]:
    """The final shifts a feed shows now: ended at most a day ago, starting within
    ``feed.days`` days."""
    horizon = now + timedelta(days=feed.days)
    start = _day_floor(now) - MARGIN
    end = _day_floor(horizon) + MARGIN
    if feed.kind == CalendarFeed.Kind.SCHEDULE:
        schedules = [feed.schedule]
    else:
        schedules = list(
            Schedule.objects.filter(team__memberships__user=feed.person)
            .select_related("team")
            .distinct()
        )
    result = []
    for schedule in schedules:
        for shift in selectors.final_schedule(schedule, start, end):
            if feed.person_id and shift.user_id != feed.person_id:
                continue
            if shift.end <= now - RECENT_PAST or shift.start >= horizon:
                continue
            result.append(FeedShift(shift_uid(schedule, shift), schedule, shift))
    return sorted(result, key=lambda item: (item.shift.start, item.uid))


def _reconcile(
    feed: CalendarFeed, current: list[FeedShift], now: datetime
) -> list[FeedEmittedShift]:
    """Update what the feed has sent; return every row to put in the calendar."""
    rows = {row.uid: row for row in feed.emitted.all()}
    wanted = {item.uid: item for item in current}
    for uid, item in wanted.items():
        row = rows.get(uid)
        if row is None:
            rows[uid] = FeedEmittedShift.objects.create(
                feed=feed,
                uid=uid,
                user_id=item.shift.user_id,
                schedule=item.schedule,
                start=item.shift.start,
                end=item.shift.end,
                first_sent_at=now,
            )
        elif row.cancelled_at is not None or row.end != item.shift.end:
            row.cancelled_at = None
            row.end = item.shift.end
            row.sequence += 1
            row.save(update_fields=["cancelled_at", "end", "sequence"])
    for uid, row in list(rows.items()):
        if uid in wanted:
            continue
        if row.end <= now - RECENT_PAST:
            row.delete()  # it simply lies in the past now
            del rows[uid]
        elif row.cancelled_at is None:
            row.cancelled_at = now
            row.sequence += 1
            row.save(update_fields=["cancelled_at", "sequence"])
    return sorted(rows.values(), key=lambda row: (row.start, row.uid))


def _calendar_name(feed: CalendarFeed) -> str:
    if feed.kind == CalendarFeed.Kind.SCHEDULE:
        return _("On call: %(schedule)s") % {"schedule": feed.schedule}
    return _("My on-call shifts (%(person)s)") % {"person": feed.person}


@transaction.atomic
def feed_render(*, token: str, now: datetime | None = None) -> bytes | None:
    """The iCal document for the feed with this token, or None (unknown or revoked)."""
    if not token or len(token) > 200:
        return None
    feed = (
        CalendarFeed.objects.select_for_update(of=("self",))
        .filter(token_hash=CalendarFeed.hash_token(token), revoked_at__isnull=True)
        .select_related("schedule", "schedule__team", "person")
        .first()
    )
    if feed is None:
        return None
    now = now or timezone.now()
    rows = _reconcile(feed, feed_shifts(feed, now), now)
    feed.last_fetched_at = now
    feed.save(update_fields=["last_fetched_at"])
    people = {
        u.pk: u for u in get_user_model().objects.filter(pk__in={row.user_id for row in rows})
    }
    schedules = {s.pk: s for s in Schedule.objects.filter(pk__in={row.schedule_id for row in rows})}
    calendar = Calendar()
    calendar.add("prodid", "-//OpsPortal//War room on-call//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _calendar_name(feed))
    for row in rows:
        person = people.get(row.user_id)
        schedule = schedules.get(row.schedule_id)
        event = Event()
        event.add("uid", row.uid)
        event.add("dtstamp", now)
        event.add("dtstart", row.start)
        event.add("dtend", row.end)
        event.add("sequence", row.sequence)
        event.add(
            "summary",
            _("On call: %(schedule)s — %(person)s")
            % {"schedule": schedule, "person": person_label(person)},
        )
        event.add("status", "CANCELLED" if row.cancelled_at else "CONFIRMED")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()
