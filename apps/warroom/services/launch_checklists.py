"""Checklist runs that belong to a launch plan, and what they write to its war-room log.

A run may name the launch it is for (``ChecklistRun.launch``): the go/no-go and the
pre-launch cutover checklists of a launch. Starting, completing and abandoning such a run
writes an entry to that launch's war-room log in the same transaction.

Who may: the entries are written by the portal itself (``automatic=True``, like the task
status and T0 entries of the launch services), so the person running the checklist needs
``warroom.run_checklist`` and nothing more: no war-room log right
(``warroom.add_launchlogentry``) is asked for, and finance, who run checklists but do not
write to the log, still leave the trace of their runs there. A person cannot choose the
text or kind of these entries; they only say what happened to the run.

Which launches take new runs: planned, live and rolled-back ones (a rolled-back launch
may be checked again before its next attempt). A completed or cancelled launch takes none.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.accounts.display import person_label
from apps.warroom.models import ChecklistRun, ChecklistRunItem, LaunchLogEntry, LaunchPlan
from apps.warroom.services.launch_log import write_log

# The seeded go/no-go checklist (data migration 0004). Its completion is a go/no-go entry.
GO_NO_GO_SLUG = "go-no-go"
CUTOVER_SLUG = "pre-launch-cutover"
# The shortcuts on the launch pages, in the order shown.
LAUNCH_SHORTCUT_SLUGS = (GO_NO_GO_SLUG, CUTOVER_SLUG)
LAUNCH_STATUSES_TAKING_RUNS = (
    LaunchPlan.Status.PLANNED,
    LaunchPlan.Status.LIVE,
    LaunchPlan.Status.ROLLED_BACK,
)
FAILED_ITEMS_LISTED = 10

Kind = LaunchLogEntry.Kind


def launch_takes_runs(plan: LaunchPlan) -> bool:
    return plan.status in LAUNCH_STATUSES_TAKING_RUNS


def launch_errors(plan: LaunchPlan | None) -> list[str]:
    """Why ``plan`` cannot get a new checklist run (an empty list when it can)."""
    if plan is None or launch_takes_runs(plan):
        return []
    return [
        _("This launch is %(status)s; it cannot get new checklist runs.")
        % {"status": str(plan.get_status_display()).lower()}
    ]


def _data(run: ChecklistRun, event: str, **extra) -> dict:
    return {
        "checklist_run": run.pk,
        "template": run.template.slug,
        "event": event,
        **extra,
    }


def log_run_started(run: ChecklistRun) -> LaunchLogEntry | None:
    if run.launch_id is None:
        return None
    text = _("Checklist “%(checklist)s” (run #%(run)s, %(environment)s) started by %(who)s.") % {
        "checklist": run.template_name,
        "run": run.pk,
        "environment": str(run.get_environment_display()).lower(),
        "who": person_label(run.started_by),
    }
    return write_log(
        author=run.started_by,
        plan=run.launch,
        kind=Kind.EVENT,
        text=text,
        data=_data(run, "checklist_started", environment=run.environment),
    )


def log_run_completed(run: ChecklistRun, items: list[ChecklistRunItem]) -> LaunchLogEntry | None:
    """A go/no-go run's completion is a go/no-go entry; a failed one says NO-GO and names
    the failed items (the launch's leads still make the decision, by the launch status)."""
    if run.launch_id is None:
        return None
    failed = [item for item in items if item.result == ChecklistRunItem.Result.FAILED]
    go_no_go = run.template.slug == GO_NO_GO_SLUG
    values = {
        "checklist": run.template_name,
        "run": run.pk,
        "who": person_label(run.completed_by),
        "result": str(run.get_result_display()).lower(),
    }
    if run.result == ChecklistRun.Result.FAILED and go_no_go:
        text = (
            _("NO-GO: checklist “%(checklist)s” (run #%(run)s) failed; completed by %(who)s.")
            % values
        )
    elif run.result == ChecklistRun.Result.FAILED:
        text = (
            _("FAILED: checklist “%(checklist)s” (run #%(run)s) failed; completed by %(who)s.")
            % values
        )
    else:
        text = _("Checklist “%(checklist)s” (run #%(run)s) completed by %(who)s: %(result)s.") % (
            values
        )
    if failed:
        text += " " + _("Failed items: %(items)s.") % {
            "items": "; ".join(
                f"{item.position}. {item.title}" for item in failed[:FAILED_ITEMS_LISTED]
            )
        }
    if run.closing_note:
        text += " " + _("Note: %(note)s") % {"note": run.closing_note}
    return write_log(
        author=run.completed_by,
        plan=run.launch,
        kind=Kind.GO_NO_GO if go_no_go else Kind.EVENT,
        text=text,
        data=_data(
            run,
            "checklist_completed",
            result=run.result,
            failed_items=[item.position for item in failed],
            no_go=go_no_go and run.result == ChecklistRun.Result.FAILED,
        ),
    )


def log_run_abandoned(run: ChecklistRun) -> LaunchLogEntry | None:
    if run.launch_id is None:
        return None
    text = _(
        "Checklist “%(checklist)s” (run #%(run)s) abandoned by %(who)s. Reason: %(reason)s"
    ) % {
        "checklist": run.template_name,
        "run": run.pk,
        "who": person_label(run.completed_by),
        "reason": run.closing_note,
    }
    return write_log(
        author=run.completed_by,
        plan=run.launch,
        kind=Kind.EVENT,
        text=text,
        data=_data(run, "checklist_abandoned"),
    )
