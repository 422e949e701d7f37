"""Coverage-gap reports to team leads and shift-change notices to incoming people."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.display import person_label
from apps.core.logging import get_logger
from apps.notify.services import notify_people
from apps.oncall import selectors
from apps.oncall.models import Schedule

log = get_logger(__name__)


def _local(instant: datetime, schedule: Schedule) -> str:
    return instant.astimezone(ZoneInfo(schedule.timezone)).strftime("%Y-%m-%d %H:%M %Z")


@transaction.atomic
def coverage_gaps_report(*, now: datetime | None = None) -> int:
    """Tell each team lead about gaps in their schedules over the next 14 days, and about
    stretches where the person on call has no verified contact method (nobody could reach
    them, so the schedule is not covered there either).

    One notice per schedule and day (de-duplicated), so a re-run sends nothing twice.
    Returns how many schedules had gaps or unreachable stretches.
    """
    now = now or timezone.now()
    reported = 0
    for schedule in Schedule.objects.select_related("team", "team__lead"):
        if not schedule.layers.exists():
            continue
        outlook = selectors.coverage(schedule, now)
        if outlook.covered:
            continue
        reported += 1
        lead = schedule.team.lead
        log.info(
            "schedule.coverage_gaps",
            schedule=schedule.pk,
            gaps=len(outlook.gaps),
            unreachable=len(outlook.unreachable),
            lead=getattr(lead, "pk", None),
        )
        if lead is None:
            continue
        people = selectors.users_by_id(u.user_id for u in outlook.unreachable)
        lines = []
        if outlook.gaps:
            lines += [
                _("%(schedule)s has %(count)s gap(s) in the next 14 days:")
                % {"schedule": schedule, "count": len(outlook.gaps)},
                "",
            ]
            lines += [
                f"- {_local(gap.start, schedule)} → {_local(gap.end, schedule)}"
                for gap in outlook.gaps[:20]
            ]
        if outlook.unreachable:
            if lines:
                lines.append("")
            lines += [
                _(
                    "On call without a verified contact method (a page would reach nobody) "
                    "in the next 14 days on %(schedule)s:"
                )
                % {"schedule": schedule},
                "",
            ]
            lines += [
                f"- {_local(u.start, schedule)} → {_local(u.end, schedule)}: "
                f"{person_label(people.get(u.user_id))}"
                for u in outlook.unreachable[:20]
            ]
        subject = (
            _("On-call gaps: %(schedule)s")
            if outlook.gaps
            else _("On-call people unreachable: %(schedule)s")
        ) % {"schedule": schedule}
        notify_people(
            users=[lead],
            subject=subject,
            body="\n".join(lines),
            payload={
                "schedule": schedule.pk,
                "team": schedule.team.slug,
                "gaps": [[g.start.isoformat(), g.end.isoformat()] for g in outlook.gaps],
                "unreachable": [
                    [u.start.isoformat(), u.end.isoformat(), u.user_id] for u in outlook.unreachable
                ],
            },
            event="warroom.coverage_gaps",
            dedupe_key=f"warroom.gaps:{schedule.pk}:{now.date().isoformat()}",
        )
    return reported


@transaction.atomic
def shift_change_notices(*, now: datetime | None = None) -> int:
    """Tell each person whose shift starts within WARROOM_SHIFT_NOTICE_MINUTES.

    The de-duplication key names the schedule, person and start, so a shift gets one
    notice however often this runs. Returns how many shifts were noticed this run.
    """
    now = now or timezone.now()
    lead_time = timedelta(minutes=settings.WARROOM_SHIFT_NOTICE_MINUTES)
    users = get_user_model().objects
    sent = 0
    for schedule in Schedule.objects.select_related("team"):
        if not schedule.layers.exists() and not schedule.overrides.exists():
            continue
        shifts = selectors.final_schedule(schedule, now - timedelta(days=1), now + lead_time)
        for previous, shift in zip([None, *shifts], shifts, strict=False):
            if not now <= shift.start < now + lead_time:
                continue
            if (
                previous is not None
                and previous.end == shift.start
                and previous.user_id == shift.user_id
            ):
                continue  # the same person carries on
            person = users.filter(pk=shift.user_id).first()
            if person is None:
                continue
            notify_people(
                users=[person],
                subject=_("You are on call for %(schedule)s from %(start)s")
                % {"schedule": schedule, "start": _local(shift.start, schedule)},
                body=_("Your on-call shift on %(schedule)s starts at %(start)s.")
                % {"schedule": schedule, "start": _local(shift.start, schedule)},
                payload={
                    "schedule": schedule.pk,
                    "start": shift.start.isoformat(),
                    "source": shift.source,
                },
                event="warroom.shift_change",
                dedupe_key=f"warroom.shift:{schedule.pk}:{person.pk}:{shift.start:%Y%m%dT%H%M%SZ}",
            )
            sent += 1
    return sent
