"""Running a page's steps, one Celery task per step.

Each step runs in its own task carrying (page id, step index, pass). The task locks the
page row and does nothing unless the page is still triggered and waiting for exactly
that step; a ``PageStepRun`` row (unique per page, step and pass) is written in the same
transaction as the step's notifications, so a step runs at most once even when the
queue delivers its task twice. ``page_sweep`` re-queues steps whose time has passed, so
a task lost with a killed worker delays a step but never skips it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.display import person_label
from apps.core.events import record_event
from apps.core.logging import get_logger
from apps.notify.selectors import reachable_user_ids
from apps.notify.services import notification_enqueue, notify_people
from apps.oncall import selectors
from apps.oncall.models import EscalationStep, Page, PageEvent, PageStepRun, Schedule

log = get_logger(__name__)
Kind = EscalationStep.Kind
NOTIFY_KINDS = {
    Kind.NOTIFY_SCHEDULE,
    Kind.NOTIFY_USER,
    Kind.NOTIFY_TEAM_LEAD,
    Kind.NOTIFY_TEAM_CHANNEL,
}

# A task may arrive this much before its time (clock granularity) and still run.
EARLY_TOLERANCE = timedelta(milliseconds=500)


def minute_seconds() -> float:
    return float(getattr(settings, "WARROOM_ESCALATION_MINUTE_SECONDS", 60))


def ack_url(page: Page) -> str:
    return settings.PORTAL_BASE_URL + reverse("warroom:page_ack_link", args=[page.ack_token])


def _event(page: Page, kind: str, *, step=None, repeat=None, actor=None, message="", data=None):
    return PageEvent.objects.create(
        page=page,
        kind=kind,
        step_index=step,
        repeat=repeat,
        actor=actor if getattr(actor, "pk", None) else None,
        message=message[:300],
        data=data or {},
    )


def _schedule_step(page: Page) -> None:
    """Queue the page's next step for its time, once the transaction commits.

    A task is never queued further ahead than CELERY_MAX_ETA_SECONDS: a Redis broker hands
    a task held unacknowledged longer than its visibility timeout to another worker. A
    longer wait arrives early, finds its step not yet due and queues itself again.
    """
    from apps.oncall.tasks import page_step_task

    args = (page.pk, page.current_step, page.current_repeat)
    eta = page.next_run_at

    def send():
        now = timezone.now()
        if eta is not None and eta > now:
            latest = now + timedelta(seconds=settings.CELERY_MAX_ETA_SECONDS)
            page_step_task.apply_async(args, eta=min(eta, latest))
        else:
            page_step_task.apply_async(args)

    transaction.on_commit(send)


# --- running a step -----------------------------------------------------------------------


def _message(page: Page, step: dict) -> tuple[str, str, dict]:
    prefix = _("[TEST]") if page.is_test else _("[PAGE]")
    subject = f"{prefix} {page.team.name}: {page.title}"[:300]
    lines = [
        page.title,
        "",
        _("Team: %(team)s") % {"team": page.team.name},
        _("Step %(n)s: %(label)s")
        % {"n": step["position"], "label": step.get("label") or step["kind"]},
    ]
    if page.details:
        lines += ["", page.details]
    lines += ["", _("Acknowledge: %(url)s") % {"url": ack_url(page)}]
    payload = {
        "page_id": page.pk,
        "team": page.team.slug,
        "title": page.title,
        "step": step["position"],
        "step_label": step.get("label", ""),
        "test": page.is_test,
        "ack_url": ack_url(page),
    }
    return subject, "\n".join(lines), payload


def _recipients(page: Page, step: dict, at) -> tuple[list, str]:
    from django.contrib.auth import get_user_model

    kind = step["kind"]
    if kind == Kind.NOTIFY_SCHEDULE:
        schedule = Schedule.objects.filter(pk=step.get("schedule_id")).first()
        if schedule is None:
            return [], _("the schedule no longer exists")
        shift = selectors.on_call_at(schedule, at)
        if shift is None:
            return [], _("nobody is on call on %(schedule)s") % {"schedule": schedule}
        return list(get_user_model().objects.filter(pk=shift.user_id)), ""
    if kind == Kind.NOTIFY_USER:
        return list(get_user_model().objects.filter(pk=step.get("user_id"), is_active=True)), ""
    if kind == Kind.NOTIFY_TEAM_LEAD:
        if page.team.lead_id is None:
            return [], _("the team has no lead")
        return [page.team.lead], ""
    return [], ""


def _notify(page: Page, step: dict, step_index: int, repeat: int, at) -> dict:
    """Send the step's notifications. ``reached`` counts who can really be reached: the
    team's enabled channel, or people with a verified contact method. Unverified methods
    are sent to as well, but a step that reached only them reached nobody."""
    subject, body, payload = _message(page, step)
    dedupe = f"warroom.page:{page.pk}:{step_index}:{repeat}"
    if step["kind"] == Kind.NOTIFY_TEAM_CHANNEL:
        channel = page.team.channel
        if channel is None or not channel.enabled:
            return {
                "people": [],
                "messages": 0,
                "reached": 0,
                "why": _("the team has no enabled channel"),
            }
        message = notification_enqueue(
            channel=channel,
            subject=subject,
            body=body,
            payload=payload,
            event="warroom.page",
            dedupe_key=f"{dedupe}:channel",
        )
        return {
            "people": [],
            "channel": channel.pk,
            "messages": 1,
            "message_ids": [str(message.pk)],
            "reached": 1,
            "why": "",
        }
    people, why = _recipients(page, step, at)
    messages = notify_people(
        users=people,
        subject=subject,
        body=body,
        payload=payload,
        event="warroom.page",
        dedupe_key=dedupe,
    )
    reachable = reachable_user_ids(people)
    unreached = [p for p in people if p.pk not in reachable]
    if people and not reachable:
        why = _("no verified contact method for %(people)s") % {
            "people": ", ".join(person_label(p) for p in unreached)
        }
        if messages:
            why += " " + _("(sent anyway to %(count)s unverified contact method(s))") % {
                "count": len(messages)
            }
    return {
        "people": [p.pk for p in people],
        "names": [person_label(p) for p in people],
        "messages": len(messages),
        "message_ids": [str(m.pk) for m in messages],
        "reached": len(people) - len(unreached),
        "unreachable": [p.pk for p in unreached],
        "why": why,
    }


def _reached(outcome: dict) -> int:
    # Runs recorded before reachability was counted say only how many messages went out.
    return int(outcome.get("reached", outcome.get("messages", 0)) or 0)


def _wait_is_pointless(page: Page, steps: list[dict], step_index: int, repeat: int) -> bool:
    """True when the notify steps just before this wait (back to the previous wait or the
    start of the pass) all reached nobody: nobody can acknowledge, so waiting only delays
    the next level. A wait with no notify step before it (a deliberate delay) stays."""
    runs = {
        run.step_index: run.outcome
        for run in PageStepRun.objects.filter(page=page, repeat=repeat, step_index__lt=step_index)
    }
    notified_steps = 0
    for index in range(step_index - 1, -1, -1):
        if steps[index]["kind"] not in NOTIFY_KINDS or index not in runs:
            break
        notified_steps += 1
        if _reached(runs[index]):
            return False
    return notified_steps > 0


def _finish(page: Page, now) -> None:
    page.next_run_at = None
    if page.is_test:
        page.status = Page.Status.RESOLVED
        page.resolved_at = now
        _event(
            page, PageEvent.Kind.RESOLVED, message=_("Test page delivered to every destination.")
        )
        record_event("page.test_completed", target=page, data={"team": page.team.slug})
    else:
        page.status = Page.Status.EXHAUSTED
        _event(page, PageEvent.Kind.EXHAUSTED, message=_("Every step ran; nobody acknowledged."))
        record_event("page.exhausted", target=page, data={"team": page.team.slug})


@transaction.atomic
def page_step_run(*, page_id: int, step_index: int, repeat: int) -> str:
    """Run one step of a page if (and only if) it is the step the page is waiting for."""
    page = (
        Page.objects.select_for_update(of=("self",))
        .select_related("team", "team__channel")
        .filter(pk=page_id)
        .first()
    )
    if page is None:
        return "gone"
    if page.status != Page.Status.TRIGGERED:
        return "inactive"
    if (page.current_step, page.current_repeat) != (step_index, repeat):
        return "stale"
    now = timezone.now()
    if page.next_run_at is not None and page.next_run_at - EARLY_TOLERANCE > now:
        _schedule_step(page)  # delivered early (clock or broker): try again on time
        return "early"
    if PageStepRun.objects.filter(page=page, step_index=step_index, repeat=repeat).exists():
        return "done"
    steps = page.steps
    if step_index >= len(steps):
        _finish(page, now)
        page.save()
        return "finished"
    step = steps[step_index]
    try:
        with transaction.atomic():
            run = PageStepRun.objects.create(
                page=page, step_index=step_index, repeat=repeat, kind=step["kind"], ran_at=now
            )
    except IntegrityError:
        return "done"
    next_index, next_repeat, delay = step_index + 1, repeat, 0.0
    kind = step["kind"]
    if kind == Kind.WAIT:
        minutes = int(step["wait_minutes"])
        if _wait_is_pointless(page, steps, step_index, repeat):
            run.outcome = {"wait_minutes": minutes, "skipped": True}
            message = _(
                "Not waiting %(m)s min: the steps before reached nobody; moving on at once."
            ) % {"m": minutes}
        else:
            delay = minutes * minute_seconds()
            run.outcome = {"wait_minutes": minutes}
            message = _("Waiting %(m)s min for an acknowledgement.") % {"m": minutes}
        _event(
            page,
            PageEvent.Kind.WAITING,
            step=step_index,
            repeat=repeat,
            message=message,
            data=run.outcome,
        )
    elif kind == Kind.REPEAT:
        if repeat < int(step["repeat_times"]):
            next_index, next_repeat = int(step["repeat_from"]) - 1, repeat + 1
            run.outcome = {"repeat_to": next_index, "pass": next_repeat}
            _event(
                page,
                PageEvent.Kind.REPEATED,
                step=step_index,
                repeat=repeat,
                message=_("Repeating from step %(n)s (pass %(p)s).")
                % {"n": step["repeat_from"], "p": next_repeat + 1},
                data=run.outcome,
            )
        else:
            run.outcome = {"repeat_done": True}
    else:
        run.outcome = _notify(page, step, step_index, repeat, now)
        if _reached(run.outcome):
            text = _("Notified %(who)s.") % {
                "who": ", ".join(run.outcome.get("names") or []) or page.team.channel
            }
            _event(
                page,
                PageEvent.Kind.NOTIFIED,
                step=step_index,
                repeat=repeat,
                message=text,
                data=run.outcome,
            )
        else:
            text = _("Step %(n)s reached nobody: %(why)s.") % {
                "n": step_index + 1,
                "why": run.outcome.get("why") or "-",
            }
            log.warning("page.step_reached_nobody", page=page.pk, step=step_index + 1)
            _event(
                page,
                PageEvent.Kind.NOBODY,
                step=step_index,
                repeat=repeat,
                message=text,
                data=run.outcome,
            )
    run.save(update_fields=["outcome"])
    record_event(
        "page.step_ran",
        target=page,
        data={
            "step": step_index + 1,
            "pass": repeat,
            "kind": kind,
            "label": step.get("label", ""),
            "outcome": run.outcome,
        },
    )
    page.current_step, page.current_repeat = next_index, next_repeat
    page.next_run_at = now + timedelta(seconds=delay)
    if next_index >= len(steps):
        _finish(page, now)
    page.save()
    if page.status == Page.Status.TRIGGERED:
        _schedule_step(page)
    log.info("page.step_ran", page=page.pk, step=step_index + 1, repeat=repeat, kind=kind)
    return "ran"


def page_sweep(*, grace_seconds: float | None = None) -> list[tuple[int, int, int]]:
    """(page, step, pass) of every triggered page whose next step is overdue."""
    grace = grace_seconds if grace_seconds is not None else max(5.0, 2 * minute_seconds())
    cutoff = timezone.now() - timedelta(seconds=grace)
    return list(
        Page.objects.filter(status=Page.Status.TRIGGERED, next_run_at__lte=cutoff).values_list(
            "pk", "current_step", "current_repeat"
        )
    )
