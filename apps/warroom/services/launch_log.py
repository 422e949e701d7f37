"""The war-room log: a running, append-only record of decisions and events.

People append entries (``launch_log_append``); the launch services write their own
(``write_log``) for task status changes, T0 moves, go-live and rollback. An entry never
changes: a correction is a new entry whose ``corrects`` points at the old one.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.events import record_event
from apps.warroom.models import LaunchLogEntry, LaunchPlan, LaunchTask
from apps.warroom.services.launch_access import can_append_log

Kind = LaunchLogEntry.Kind
MAX_LOG_TEXT = 4000


def write_log(
    *,
    author,
    plan: LaunchPlan | None,
    kind: str,
    text: str,
    task: LaunchTask | None = None,
    automatic: bool = True,
    corrects: LaunchLogEntry | None = None,
    data: dict | None = None,
) -> LaunchLogEntry:
    entry = LaunchLogEntry(
        plan=plan,
        task=task,
        kind=kind,
        text=text[:MAX_LOG_TEXT],
        author=author,
        automatic=automatic,
        corrects=corrects,
        data=data or {},
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def launch_log_append(
    *,
    actor,
    text: str,
    kind: str = Kind.NOTE,
    plan: LaunchPlan | None = None,
    task: LaunchTask | None = None,
    corrects: LaunchLogEntry | None = None,
) -> LaunchLogEntry:
    """Add a line to the war-room log. Entries never change; to correct one, append a new
    entry with ``corrects`` pointing at it (same launch)."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown log entry kind.")})
    if task is not None:
        if plan is None:
            plan = task.plan
        elif task.plan_id != plan.pk:
            raise ValidationError({"task": _("This task belongs to another launch.")})
    if corrects is not None:
        if plan is None and corrects.plan_id is not None:
            plan = corrects.plan
        if corrects.plan_id != (plan.pk if plan else None):
            raise ValidationError({"corrects": _("Correct an entry of the same launch.")})
    if not can_append_log(actor, plan, kind):
        raise PermissionDenied(_("You may not write this to the war-room log."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what happened or what was decided.")})
    if len(text) > MAX_LOG_TEXT:
        raise ValidationError(
            {"text": _("Keep an entry under %(max)d characters.") % {"max": MAX_LOG_TEXT}}
        )
    if plan is not None:
        # Lock the launch before the audit chain, in the order status changes and task
        # updates take them: the entry's reference to the launch is checked at commit, and
        # a status change holding the launch while waiting for the chain would deadlock.
        LaunchPlan.objects.select_for_update().filter(pk=plan.pk).first()
    entry = write_log(
        author=actor,
        plan=plan,
        task=task,
        kind=kind,
        text=text,
        automatic=False,
        corrects=corrects,
    )
    record_event(
        "launch.log_appended",
        actor=actor,
        target=entry,
        data={
            "plan": plan.pk if plan else None,
            "kind": kind,
            "corrects": corrects.pk if corrects else None,
        },
    )
    return entry
