"""Pages: start one from a policy snapshot, acknowledge and resolve it.

The steps themselves run in apps.oncall.services.page_steps (one Celery task each).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.display import person_label
from apps.accounts.policy import require
from apps.core.events import record_event
from apps.core.logging import get_logger
from apps.oncall.models import EscalationPolicy, EscalationStep, Page, PageEvent, Schedule, Team
from apps.oncall.services.escalation import step_snapshot
from apps.oncall.services.page_steps import _event, _schedule_step

log = get_logger(__name__)
Kind = EscalationStep.Kind

# Sent inside the acknowledging transaction; apps above the war room (incidents) listen.
page_acknowledged = Signal()  # sender=Page, page=..., actor=...
page_resolved = Signal()

# --- starting ---------------------------------------------------------------------------


def _snapshot(policy: EscalationPolicy) -> dict:
    return {
        "policy_id": policy.pk,
        "policy_name": policy.name,
        "team": policy.team.slug,
        "taken_at": timezone.now().isoformat(),
        "steps": [step_snapshot(s) for s in policy.steps.select_related("schedule", "user")],
    }


def _start(
    *, actor, team: Team, policy, snapshot: dict, title: str, details: str, subject, is_test
) -> Page:
    page = Page(
        team=team,
        policy=policy,
        policy_snapshot=snapshot,
        title=(title or "").strip(),
        details=details or "",
        is_test=is_test,
        next_run_at=timezone.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if subject is not None:
        page.subject_type = ContentType.objects.get_for_model(subject)
        page.subject_id = str(subject.pk)
    page.full_clean()
    page.save()
    _event(page, PageEvent.Kind.TRIGGERED, actor=actor, message=page.title, data={"test": is_test})
    record_event(
        "page.test_sent" if is_test else "page.triggered",
        actor=actor,
        target=page,
        data={
            "team": team.slug,
            "policy": snapshot.get("policy_name"),
            "steps": len(snapshot.get("steps", [])),
            "title": page.title,
        },
    )
    _schedule_step(page)
    log.info("page.triggered", page=page.pk, team=team.slug, test=is_test)
    return page


@transaction.atomic
def page_trigger(
    *,
    actor,
    team: Team,
    title: str,
    policy: EscalationPolicy | None = None,
    details: str = "",
    subject=None,
    is_test: bool = False,
) -> Page:
    """Page ``team`` with ``policy`` (default: the team's first policy).

    ``actor=None`` is the system (an alert routed by a later app); a person needs
    ``oncall.trigger_page``. ``subject`` is any model instance the page is about;
    ``is_test`` marks the page of a test alert (it runs the same steps).
    """
    if actor is not None:
        require(actor, "oncall.trigger_page")
    if not (title or "").strip():
        raise ValidationError({"title": _("Say what the page is about.")})
    if policy is None:
        policy = team.escalation_policies.order_by("id").first()
        if policy is None:
            raise ValidationError(
                {"policy": _("Team %(team)s has no escalation policy yet.") % {"team": team.name}}
            )
    elif policy.team_id != team.pk:
        raise ValidationError({"policy": _("This policy belongs to another team.")})
    snapshot = _snapshot(policy)
    if not snapshot["steps"]:
        raise ValidationError({"policy": _("This policy has no steps.")})
    return _start(
        actor=actor,
        team=team,
        policy=policy,
        snapshot=snapshot,
        title=title,
        details=details,
        subject=subject,
        is_test=is_test,
    )


@transaction.atomic
def page_send_test(*, actor, team: Team) -> Page:
    """A test page: the team's channel, whoever is on call (primary) and the sender are
    told at once, through the same steps and outbox as a real page."""
    require(actor, "oncall.send_test_page", team)
    steps = []
    if team.channel_id:
        steps.append({"kind": Kind.NOTIFY_TEAM_CHANNEL, "label": _("War-room channel")})
    primary = team.schedules.filter(kind=Schedule.Kind.PRIMARY).first()
    if primary is not None:
        steps.append(
            {
                "kind": Kind.NOTIFY_SCHEDULE,
                "schedule_id": primary.pk,
                "schedule_name": str(primary),
                "label": _("On call"),
            }
        )
    steps.append(
        {
            "kind": Kind.NOTIFY_USER,
            "user_id": actor.pk,
            "user_name": str(actor),
            "label": _("Sender"),
        }
    )
    for position, step in enumerate(steps, start=1):
        step.setdefault("schedule_id", None)
        step.setdefault("user_id", None)
        step.update(position=position, wait_minutes=None, repeat_from=None, repeat_times=None)
    snapshot = {
        "policy_id": None,
        "policy_name": _("Test page"),
        "team": team.slug,
        "taken_at": timezone.now().isoformat(),
        "steps": steps,
    }
    title = _("Test page for %(team)s from %(person)s") % {"team": team.name, "person": actor}
    return _start(
        actor=actor,
        team=team,
        policy=None,
        snapshot=snapshot,
        title=title,
        details="",
        subject=None,
        is_test=True,
    )


# --- acknowledging and resolving -----------------------------------------------------------


@transaction.atomic
def page_acknowledge(*, actor, page: Page, via: str = "portal") -> Page:
    """Stop the escalation: no later step runs. Acknowledging twice changes nothing."""
    require(actor, "oncall.acknowledge_page")
    page = Page.objects.select_for_update().get(pk=page.pk)
    if page.status == Page.Status.ACKNOWLEDGED:
        return page
    if page.status == Page.Status.RESOLVED:
        raise ValidationError({"status": _("This page is already resolved.")})
    now = timezone.now()
    page.status = Page.Status.ACKNOWLEDGED
    page.acknowledged_by = actor
    page.acknowledged_at = now
    page.next_run_at = None
    page.full_clean()
    page.save()
    _event(
        page,
        PageEvent.Kind.ACKNOWLEDGED,
        step=page.current_step,
        repeat=page.current_repeat,
        actor=actor,
        message=_("Acknowledged by %(who)s via %(via)s.")
        % {"who": person_label(actor), "via": via},
        data={"via": via},
    )
    record_event(
        "page.acknowledged",
        actor=actor,
        target=page,
        data={"via": via, "at_step": page.current_step + 1, "pass": page.current_repeat},
    )
    page_acknowledged.send(sender=Page, page=page, actor=actor)
    return page


@transaction.atomic
def page_resolve(*, actor, page: Page, note: str = "") -> Page:
    require(actor, "oncall.acknowledge_page")
    page = Page.objects.select_for_update().get(pk=page.pk)
    if page.status == Page.Status.RESOLVED:
        return page
    now = timezone.now()
    if page.acknowledged_at is None:
        page.acknowledged_by, page.acknowledged_at = actor, now
    page.status = Page.Status.RESOLVED
    page.resolved_by, page.resolved_at = actor, now
    page.next_run_at = None
    page.full_clean()
    page.save()
    _event(page, PageEvent.Kind.RESOLVED, actor=actor, message=(note or _("Resolved."))[:300])
    record_event("page.resolved", actor=actor, target=page, data={"note": note[:300]})
    page_resolved.send(sender=Page, page=page, actor=actor)
    return page
