"""Launch plans: list, timeline, countdown, tasks, rollback criteria and the war-room log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.pages import Rule, check_object, page_rule
from apps.accounts.policy import can
from apps.core.web.forms import apply_validation_error
from apps.core.web.htmx import is_htmx
from apps.core.web.once import one_submission
from apps.core.web.pages import paginate
from apps.oncall import selectors as oncall_selectors
from apps.warroom import services
from apps.warroom.forms.launch import (
    LaunchPlanCreateForm,
    LaunchPlanEditForm,
    LaunchStatusForm,
    LaunchTaskForm,
    LogEntryForm,
    LogFilterForm,
    RollbackCriterionForm,
    TaskStatusForm,
)
from apps.warroom.launch_time import countdown_parts
from apps.warroom.models import LaunchPlan, LaunchTask
from apps.warroom.selectors import checklists as selectors_checklists
from apps.warroom.selectors import launch as selectors
from apps.warroom.services.checklists import RUN_PERMISSION
from apps.warroom.services.launch import TRANSITIONS
from apps.warroom.services.launch_access import (
    PERM_ADD,
    PERM_CHANGE,
    PERM_LOG_VIEW,
    PERM_TASK_STATUS,
    PERM_VIEW,
    can_append_log,
    can_set_task_status,
)
from apps.warroom.services.launch_checklists import LAUNCH_SHORTCUT_SLUGS, launch_takes_runs


def _plan(request: HttpRequest, pk: int) -> LaunchPlan:
    return get_object_or_404(selectors.launch_plan_list(user=request.user), pk=pk)


def _editable_task_ids(user, tasks) -> set[int]:
    """Tasks whose status ``user`` may change, decided with one membership query."""
    if can(user, PERM_TASK_STATUS):
        return {task.pk for task in tasks}
    if not can(user, PERM_VIEW):
        return set()
    teams = oncall_selectors.team_ids_of(user)
    return {
        task.pk
        for task in tasks
        if task.owner_id == user.pk or (task.owner_team_id and task.owner_team_id in teams)
    }


def _log_form_context(request, plan: LaunchPlan | None, correcting=None) -> dict:
    allowed = can_append_log(request.user, plan)
    initial = {"corrects": correcting.pk, "kind": correcting.kind} if correcting else {}
    return {
        "log_form": LogEntryForm(prefix="log", initial=initial) if allowed else None,
        "log_plan": plan,
        "correcting": correcting if allowed else None,
        "log_kinds_limited": allowed and not can(request.user, "warroom.add_launchlogentry"),
    }


def _checklist_context(request, plan: LaunchPlan) -> dict:
    """The launch's checklist runs and, for people who run checklists, the shortcuts to
    start the go/no-go and cutover checklists for it (at most two queries)."""
    can_run = can(request.user, RUN_PERMISSION) and launch_takes_runs(plan)
    shortcuts = []
    if can_run:
        active = {
            template.slug: template
            for template in selectors_checklists.active_templates(slugs=LAUNCH_SHORTCUT_SLUGS)
        }
        shortcuts = [active[slug] for slug in LAUNCH_SHORTCUT_SLUGS if slug in active]
    return {
        "checklist_runs": selectors_checklists.launch_run_list(user=request.user, plan=plan),
        "checklist_shortcuts": shortcuts,
        "can_run_checklist": can_run,
    }


# --- plans -----------------------------------------------------------------------------------


@page_rule(PERM_VIEW)
def launch_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in LaunchPlan.Status.values:
        status = None
    page = paginate(request, selectors.launch_plan_list(user=request.user, status=status))
    return render(
        request,
        "warroom/launch_list.html",
        {
            "page": page,
            "status": status or "",
            "statuses": LaunchPlan.Status.choices,
            "query": f"status={status}" if status else "",
            "can_add": can(request.user, PERM_ADD),
            "now": timezone.now(),
        },
    )


@page_rule(PERM_ADD)
@one_submission
def launch_new(request: HttpRequest) -> HttpResponse:
    form = LaunchPlanCreateForm(request.POST or None, prefix="plan")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.launch_plan_create(
                actor=request.user,
                name=data["name"],
                t0=data["t0"],
                description=data["description"],
                from_template=data["from_template"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Launch plan created."))
            return redirect("warroom:launch_detail", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "warroom/launch_form.html", {"form": form, "plan": None}, status=status)


@page_rule(Rule(perm=PERM_CHANGE, object_level=True))
def launch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    check_object(request, PERM_CHANGE, plan)
    initial = {
        "name": plan.name,
        "t0": timezone.localtime(plan.t0),
        "description": plan.description,
    }
    form = LaunchPlanEditForm(request.POST or None, initial=initial, prefix="plan")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.launch_plan_update(
                actor=request.user,
                plan=plan,
                name=data["name"],
                description=data["description"],
                t0=data["t0"],
                reason=data["reason"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Launch plan saved."))
            return redirect("warroom:launch_detail", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "warroom/launch_form.html", {"form": form, "plan": plan}, status=status)


def _detail_context(request, plan: LaunchPlan, **extra) -> dict:
    tasks = list(selectors.tasks_for(plan))
    phases = list(plan.phases.all())
    editable = _editable_task_ids(request.user, tasks)
    now = timezone.now()
    by_phase: dict[int, list] = {phase.pk: [] for phase in phases}
    for task in tasks:
        task.can_set_status = task.pk in editable
        task.overdue = task.is_open and task.due < now
        by_phase.setdefault(task.phase_id, []).append(task)
    can_change = can(request.user, PERM_CHANGE, plan)
    context = {
        "plan": plan,
        "groups": [(phase, by_phase.get(phase.pk, [])) for phase in phases],
        "current_phase": selectors.current_phase(phases, plan.t0, now),
        "criteria": list(plan.rollback_criteria.all()),
        "parts": countdown_parts(plan.t0, now),
        "now": now,
        "can_change": can_change,
        "status_choices": [
            (value, label)
            for value, label in LaunchPlan.Status.choices
            if value in TRANSITIONS[plan.status]
        ]
        if can_change
        else [],
        "task_statuses": LaunchTask.Status.choices,
        "criterion_form": RollbackCriterionForm(prefix="criterion") if can_change else None,
        **_checklist_context(request, plan),
    }
    context.update(extra)
    return context


@page_rule(PERM_VIEW)
def launch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline: tasks grouped by phase, ordered by offset, with quick status changes."""
    plan = _plan(request, pk)
    return render(request, "warroom/launch_detail.html", _detail_context(request, plan))


@page_rule(Rule(perm=PERM_CHANGE, object_level=True))
@require_POST
def launch_status(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    check_object(request, PERM_CHANGE, plan)
    form = LaunchStatusForm(request.POST)
    if form.is_valid():
        try:
            services.launch_plan_set_status(
                actor=request.user,
                plan=plan,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            plan.refresh_from_db()
            messages.success(
                request, _("The launch is now %(status)s.") % {"status": plan.get_status_display()}
            )
    else:
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
    return redirect("warroom:launch_detail", pk=plan.pk)


@page_rule(PERM_VIEW)
def launch_countdown(request: HttpRequest, pk: int) -> HttpResponse:
    """T0 countdown, the current phase, next and overdue tasks, rollback criteria and the
    latest war-room log entries, with a form to add one."""
    plan = _plan(request, pk)
    board = selectors.countdown(user=request.user, plan=plan)
    context = {"plan": plan, "board": board, "now": board.now}
    context.update(_log_form_context(request, plan))
    context.update(_checklist_context(request, plan))
    return render(request, "warroom/launch_countdown.html", context)


# --- tasks -----------------------------------------------------------------------------------


def _task_form(request: HttpRequest, plan: LaunchPlan, task: LaunchTask | None) -> HttpResponse:
    initial = LaunchTaskForm.initial_from(task) if task else {}
    form = LaunchTaskForm(request.POST or None, plan=plan, initial=initial, prefix="task")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        offset = data["offset"]
        try:
            if task is None:
                services.launch_task_create(
                    actor=request.user,
                    plan=plan,
                    phase=data["phase"],
                    title=data["title"],
                    description=data["description"],
                    offset=offset.delta,
                    offset_unit=offset.unit,
                    owner=data["owner"],
                    owner_team=data["owner_team"],
                )
            else:
                services.launch_task_update(
                    actor=request.user,
                    task=task,
                    phase=data["phase"],
                    title=data["title"],
                    description=data["description"],
                    offset=offset.delta,
                    offset_unit=offset.unit,
                    owner=data["owner"],
                    owner_team=data["owner_team"],
                )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Task saved."))
            return redirect("warroom:launch_detail", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "warroom/launch_task_form.html",
        {"form": form, "plan": plan, "task": task},
        status=status,
    )


@page_rule(Rule(perm=PERM_CHANGE, object_level=True))
@one_submission
def launch_task_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    check_object(request, PERM_CHANGE, plan)
    return _task_form(request, plan, None)


@page_rule(Rule(perm=PERM_CHANGE, object_level=True))
def launch_task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(selectors.launch_tasks(), pk=pk)
    check_object(request, PERM_CHANGE, task.plan)
    return _task_form(request, task.plan, task)


@page_rule(PERM_VIEW)
@require_POST
def launch_task_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Quick status change from the timeline. With htmx the task's row comes back."""
    task = get_object_or_404(selectors.launch_tasks(), pk=pk)
    if not can_set_task_status(request.user, task):
        raise PermissionDenied
    form = TaskStatusForm(request.POST, prefix=f"task-{task.pk}")
    error_text = ""
    if form.is_valid():
        try:
            services.launch_task_set_status(
                actor=request.user,
                task=task,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            error_text = " ".join(error.messages)
    else:
        error_text = " ".join(text for errors in form.errors.values() for text in errors)
    if is_htmx(request):
        row = selectors.tasks_for(task.plan).get(pk=task.pk)
        row.can_set_status = True
        row.overdue = row.is_open and row.due < timezone.now()
        return render(
            request,
            "warroom/launch_task_row.html",
            {
                "task": row,
                "plan": task.plan,
                "task_statuses": LaunchTask.Status.choices,
                "row_error": error_text,
                "can_change": can(request.user, PERM_CHANGE, task.plan),
            },
            status=400 if error_text else 200,
        )
    if error_text:
        messages.error(request, error_text)
    else:
        messages.success(request, _("Task updated."))
    return redirect("warroom:launch_detail", pk=task.plan_id)


# --- rollback criteria -----------------------------------------------------------------------


@page_rule(Rule(perm=PERM_CHANGE, object_level=True))
@require_POST
@one_submission
def launch_criterion_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    check_object(request, PERM_CHANGE, plan)
    form = RollbackCriterionForm(request.POST, prefix="criterion")
    if form.is_valid():
        try:
            services.launch_rollback_criterion_add(
                actor=request.user, plan=plan, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Rollback criterion added."))
            return redirect("warroom:launch_detail", pk=plan.pk)
    return render(
        request,
        "warroom/launch_detail.html",
        _detail_context(request, plan, criterion_form=form),
        status=400,
    )


# --- the war-room log ------------------------------------------------------------------------


@page_rule(PERM_LOG_VIEW)
def launch_log(request: HttpRequest) -> HttpResponse:
    """The war-room log, newest first; filter by kind and launch."""
    filters = LogFilterForm(request.GET or None)
    kind, plan = None, None
    if filters.is_valid():
        kind = filters.cleaned_data.get("kind") or None
        plan = filters.cleaned_data.get("launch")
    entries = selectors.log_list(user=request.user, plan=plan, kind=kind)
    page = paginate(request, entries)
    correct = request.GET.get("correct", "")
    correcting = (
        selectors.log_list(user=request.user, plan=plan).filter(pk=int(correct)).first()
        if correct.isdigit()
        else None
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("correct", None)
    context = {"page": page, "filters": filters, "query": query.urlencode(), "plan": plan}
    context.update(_log_form_context(request, plan, correcting))
    return render(request, "warroom/launch_log.html", context)


@page_rule(PERM_LOG_VIEW)
@require_POST
@one_submission
def launch_log_append(request: HttpRequest) -> HttpResponse:
    """Append an entry (optionally for one launch). With htmx, the latest entries and a
    fresh form come back; without, the page the form was on."""
    plan = None
    plan_id = request.POST.get("plan")
    if plan_id:
        if not plan_id.isdigit():
            raise Http404
        plan = _plan(request, int(plan_id))
    if not can_append_log(request.user, plan):
        raise PermissionDenied
    form = LogEntryForm(request.POST, prefix="log")
    if form.is_valid():
        try:
            services.launch_log_append(
                actor=request.user,
                plan=plan,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                corrects=form.cleaned_data["corrects"],
            )
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                form.add_error("kind", str(error) or _("You may not write this entry."))
            else:
                apply_validation_error(form, error)
        else:
            form = None
    back = request.POST.get("back")
    if is_htmx(request):
        context = {
            "log_form": form or LogEntryForm(prefix="log"),
            "log_plan": plan,
            "entries": list(selectors.log_list(user=request.user, plan=plan)[:10]),
            "log_kinds_limited": not can(request.user, "warroom.add_launchlogentry"),
        }
        return render(
            request,
            "warroom/launch_log_panel.html",
            context,
            status=400 if form is not None else 200,
        )
    if form is not None:
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
    else:
        messages.success(request, _("Added to the war-room log."))
    if plan is not None and back == "countdown":
        return redirect("warroom:launch_countdown", pk=plan.pk)
    if plan is not None and back == "detail":
        return redirect("warroom:launch_detail", pk=plan.pk)
    url = redirect("warroom:launch_log").url
    return redirect(f"{url}?launch={plan.pk}" if plan else url)
