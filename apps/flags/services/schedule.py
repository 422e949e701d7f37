"""Scheduled changes (agreed in advance, applied by the beat task) and the end of
temporary states."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.policy import can
from apps.core.events import record_event
from apps.core.logging import get_logger
from apps.flags.models import (
    SAFE_STATES,
    Flag,
    FlagState,
    FlagStateLapse,
    ScheduledFlagChange,
    ScheduledStatus,
    StateSource,
)
from apps.flags.services.effects import (
    enqueue_webhooks,
    insert_state,
    state_json,
)
from apps.flags.services.rules import (
    EVENT_BLOCK_LIFTED,
    EVENT_STATE_ENDED,
    KIND,
    MAX_REASON,
    PERM_SCHEDULE,
    check_token,
    clean_moment,
    clean_state_fields,
    clean_text,
    current_state,
    is_service_account,
    may_set_state,
    resolve_flag,
)
from apps.flags.services.states import change_request_payload

log = get_logger(__name__)


# --- scheduled changes ----------------------------------------------------------------


def scheduled_change_create(
    *,
    actor,
    flag,
    state,
    run_at,
    reason,
    scope_kind="global",
    scope_value="",
    until=None,
    incident_ref="",
    token=None,
) -> ScheduledFlagChange:
    """Agree now on a state to insert at ``run_at`` (e.g. open contribute 24 h after launch).

    Needs ``flags.schedule_change`` and the direction's own permission. A fund flag's
    risky direction files a change request now (``awaiting_approval``); its approval makes
    the change ``scheduled``. Everything else is ``scheduled`` at once. The beat task
    (``scheduled_changes_apply_due``) inserts the state at ``run_at``.
    """
    flag = resolve_flag(flag)
    errors: dict = {}
    now = timezone.now()
    run_at = clean_moment(run_at, "run_at", errors)
    if run_at is None and "run_at" not in errors:
        errors["run_at"] = [_("Choose when the change runs.")]
    elif run_at is not None and run_at <= now:
        errors["run_at"] = [ValidationError(_("Choose a time in the future."), code="run_at_past")]
    cleaned = clean_state_fields(
        flag,
        state=state,
        reason=reason,
        scope_kind=scope_kind,
        scope_value=scope_value,
        incident_ref=incident_ref,
        until=until,
        start=run_at or now,
        start_field=_("the run time"),
        errors=errors,
    )
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))
    if is_service_account(actor):
        check_token(actor, token)
    elif not can(actor, PERM_SCHEDULE) or not may_set_state(
        actor, flag, cleaned["state"], cleaned["scope_kind"]
    ):
        raise PermissionDenied(_("You may not schedule this change."))
    needs_approval = cleaned["state"] not in SAFE_STATES and flag.fund_related
    with transaction.atomic():
        scheduled = ScheduledFlagChange(
            flag=flag,
            scope_kind=cleaned["scope_kind"],
            scope_value=cleaned["scope_value"],
            state=cleaned["state"],
            reason=cleaned["reason"],
            incident_ref=cleaned["incident_ref"],
            run_at=run_at,
            until=cleaned["until"],
            status=ScheduledStatus.AWAITING_APPROVAL
            if needs_approval
            else ScheduledStatus.SCHEDULED,
            requested_by=actor,
        )
        scheduled.full_clean()
        scheduled.save()
        if needs_approval:
            from apps.approvals.services import change_request_create

            payload = change_request_payload(flag, cleaned, source=StateSource.SCHEDULE)
            payload["scheduled_change"] = scheduled.pk
            payload["run_at"] = run_at.isoformat()
            scheduled.change_request = change_request_create(
                actor=actor,
                kind=KIND,
                payload=payload,
                reason=cleaned["reason"],
                ticket=cleaned["incident_ref"],
                token=token if is_service_account(actor) else None,
            )
            scheduled.save(update_fields=["change_request"])
        record_event(
            "flag.change_scheduled",
            actor=actor,
            target=scheduled,
            data={
                "flag": flag.key,
                "scope_kind": scheduled.scope_kind,
                "scope_value": scheduled.scope_value,
                "state": scheduled.state,
                "run_at": run_at.isoformat(),
                "until": scheduled.until.isoformat() if scheduled.until else None,
                "status": scheduled.status,
                "change_request": scheduled.change_request_id,
            },
        )
        log.info(
            "flag.change_scheduled",
            flag=flag.key,
            scheduled_change=scheduled.pk,
            status=scheduled.status,
            actor=actor.pk,
        )
    return scheduled


@transaction.atomic
def scheduled_change_cancel(*, actor, scheduled_change, reason) -> ScheduledFlagChange:
    """Cancel a change that has not run yet (``flags.schedule_change``; reason required).

    A pending change request filed for it is cancelled too when the canceller filed it;
    otherwise approving it later ends as a conflict and applies nothing.
    """
    if actor is None or is_service_account(actor) or not can(actor, PERM_SCHEDULE):
        raise PermissionDenied(_("You may not cancel scheduled changes."))
    errors: dict = {}
    reason = clean_text(reason, field="reason", required=True, limit=MAX_REASON, errors=errors)
    if errors:
        raise ValidationError(errors)
    scheduled = ScheduledFlagChange.objects.select_for_update().get(pk=scheduled_change.pk)
    if not scheduled.is_pending:
        raise ValidationError(
            {
                "status": [
                    ValidationError(
                        _(
                            "This change is %(status)s; only a change that has not run can be "
                            "cancelled."
                        )
                        % {"status": scheduled.get_status_display().lower()},
                        code="not_pending",
                    )
                ]
            }
        )
    now = timezone.now()
    scheduled.status = ScheduledStatus.CANCELLED
    scheduled.cancelled_by = actor
    scheduled.cancelled_at = now
    scheduled.cancel_reason = reason
    scheduled.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])
    change_request = scheduled.change_request
    if change_request is not None and change_request.is_pending:
        if change_request.requester_id == actor.pk:
            from apps.approvals.services import change_request_cancel

            change_request_cancel(actor=actor, change_request_id=change_request.pk)
            change_request.refresh_from_db()
    record_event(
        "flag.schedule_cancelled",
        actor=actor,
        target=scheduled,
        data={"flag": scheduled.flag.key, "reason": reason, "scheduled_change": scheduled.pk},
    )
    log.info("flag.schedule_cancelled", scheduled_change=scheduled.pk, actor=actor.pk)
    return scheduled


def scheduled_change_mark_approved(*, change_request, actor) -> ScheduledFlagChange:
    """The approval of a scheduled fund change: ``awaiting_approval`` → ``scheduled``
    (runs inside the approval transaction)."""
    scheduled = ScheduledFlagChange.objects.select_for_update().get(
        pk=change_request.payload["scheduled_change"]
    )
    scheduled.status = ScheduledStatus.SCHEDULED
    scheduled.save(update_fields=["status"])
    record_event(
        "flag.schedule_approved",
        actor=actor,
        target=scheduled,
        data={
            "flag": scheduled.flag.key,
            "scheduled_change": scheduled.pk,
            "change_request": change_request.pk,
            "run_at": scheduled.run_at.isoformat(),
        },
    )
    return scheduled


def _sweep_undecided(now) -> int:
    """End ``awaiting_approval`` changes whose request ended without approval."""
    from apps.approvals.models import ChangeRequest

    ended = ScheduledFlagChange.objects.filter(
        status=ScheduledStatus.AWAITING_APPROVAL,
        change_request__status__in=[
            ChangeRequest.Status.REJECTED,
            ChangeRequest.Status.CANCELLED,
            ChangeRequest.Status.EXPIRED,
            ChangeRequest.Status.CONFLICT,
        ],
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(ended):
        with transaction.atomic():
            scheduled = ScheduledFlagChange.objects.select_for_update().get(pk=pk)
            if scheduled.status != ScheduledStatus.AWAITING_APPROVAL:
                continue
            scheduled.status = ScheduledStatus.REJECTED
            scheduled.save(update_fields=["status"])
            record_event(
                "flag.schedule_rejected",
                actor=None,
                target=scheduled,
                data={
                    "scheduled_change": scheduled.pk,
                    "change_request": scheduled.change_request_id,
                    "request_status": scheduled.change_request.status,
                },
            )
            count += 1
    return count


def _apply_one(pk: int, now) -> bool:
    with transaction.atomic():
        scheduled = (
            ScheduledFlagChange.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("flag", "requested_by", "change_request")
            .filter(pk=pk)
            .first()
        )
        if scheduled is None or scheduled.status != ScheduledStatus.SCHEDULED:
            return False  # another worker has it, or it was cancelled meanwhile
        if scheduled.run_at > now:
            return False
        if scheduled.until is not None and scheduled.until <= now:
            scheduled.status = ScheduledStatus.CANCELLED
            scheduled.cancelled_at = now
            scheduled.cancel_reason = _(
                "Not applied: its end (%(until)s) had passed when the scheduler reached it."
            ) % {"until": scheduled.until.isoformat()}
            scheduled.save(update_fields=["status", "cancelled_at", "cancel_reason"])
            record_event(
                "flag.schedule_missed",
                actor=None,
                target=scheduled,
                data={"scheduled_change": scheduled.pk},
            )
            log.warning("flag.schedule_missed", scheduled_change=scheduled.pk)
            return False
        flag = scheduled.flag
        Flag.objects.select_for_update().filter(pk=flag.pk).first()
        cleaned = {
            "state": scheduled.state,
            "reason": scheduled.reason,
            "scope_kind": scheduled.scope_kind,
            "scope_value": scheduled.scope_value,
            "incident_ref": scheduled.incident_ref,
            "until": scheduled.until,
        }
        previous = current_state(flag, scheduled.scope_kind, scheduled.scope_value, now=now)
        row = insert_state(
            flag=flag,
            cleaned=cleaned,
            actor=scheduled.requested_by,
            event_actor=None,
            source=StateSource.SCHEDULE,
            change_request=scheduled.change_request,
            previous=previous,
            now=now,
        )
        scheduled.status = ScheduledStatus.APPLIED
        scheduled.applied_state = row
        scheduled.applied_at = now
        scheduled.save(update_fields=["status", "applied_state", "applied_at"])
        log.info("flag.schedule_applied", scheduled_change=scheduled.pk, state_id=row.pk)
        return True


def scheduled_changes_apply_due(*, now=None) -> int:
    """Apply every scheduled change whose time has come; returns how many were applied.

    Idempotent and safe to run in parallel: each change is applied in its own
    transaction under a row lock (``skip_locked``: a second worker skips it), and only
    while it is still ``scheduled``. Also ends ``awaiting_approval`` changes whose
    request was rejected, cancelled or expired.
    """
    _sweep_undecided(now or timezone.now())
    applied = 0
    due = list(
        ScheduledFlagChange.objects.due(now or timezone.now())
        .order_by("run_at", "id")
        .values_list("pk", flat=True)[:500]
    )
    for pk in due:
        if _apply_one(pk, now or timezone.now()):
            applied += 1
    return applied


def temporary_states_lapse(*, now=None) -> int:
    """Announce, once each, the temporary states that have reached their ``until``.

    The evaluation ends them by itself at ``until``; this records ``flag.block_lifted``
    (``flag.state_ended`` for a temporary allow/open) in the audit trail and sends the
    subscribers' webhook, with the state now in force as ``after``. A ``FlagStateLapse``
    row (one per state, unique) makes the announcement happen once.
    """
    now = now or timezone.now()
    ended = list(
        FlagState.objects.filter(until__isnull=False, until__lte=now, lapse__isnull=True)
        .order_by("until", "id")
        .values_list("pk", flat=True)[:500]
    )
    count = 0
    for pk in ended:
        with transaction.atomic():
            row = FlagState.objects.select_related("flag", "actor").get(pk=pk)
            try:
                with transaction.atomic():
                    FlagStateLapse.objects.create(state=row, recorded_at=now)
            except IntegrityError:
                continue  # another worker announced it
            flag = row.flag
            after = current_state(flag, row.scope_kind, row.scope_value, now=now)
            name = EVENT_BLOCK_LIFTED if row.state in SAFE_STATES else EVENT_STATE_ENDED
            record_event(
                name,
                actor=None,
                target=row,
                data={
                    "flag": flag.key,
                    "state_id": row.pk,
                    "scope_kind": row.scope_kind,
                    "scope_value": row.scope_value,
                    "ended_state": row.state,
                    "until": row.until.isoformat(),
                    "now_state": after.state if after else flag.default_state,
                    "now_state_id": after.pk if after else None,
                },
            )
            payload = {
                "event": name,
                "flag": flag.key,
                "kind": flag.kind,
                "fund_related": flag.fund_related,
                "scope": {"kind": row.scope_kind, "value": row.scope_value},
                "before": state_json(flag, row),
                "after": state_json(flag, after),
                "actor": None,
                "reason": row.reason,
                "incident": row.incident_ref or None,
                "source": "schedule",
                "change_request": None,
                "occurred_at": row.until.isoformat(),
            }
            enqueue_webhooks(flag, name, payload, dedupe=f"flags:lapse:{row.pk}")
            log.info(name, flag=flag.key, state_id=row.pk, scope=row.scope_label)
            count += 1
    return count
