"""Checklist pages: templates, starting a run, marking items (htmx), the report."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.pages import Rule, check_object, page_rule
from apps.accounts.policy import can
from apps.core.web.forms import apply_validation_error
from apps.core.web.htmx import is_htmx
from apps.core.web.once import one_submission
from apps.core.web.pages import error_messages, paginate
from apps.warroom import checklist_report, services
from apps.warroom.forms.checklists import (
    ItemMarkForm,
    RunAbandonForm,
    RunCompleteForm,
    RunFilterForm,
    RunStartForm,
    TemplateForm,
    TemplateItemFormSet,
    template_item_initial,
)
from apps.warroom.models import ChecklistRun, ChecklistRunItem
from apps.warroom.selectors import checklists as selectors
from apps.warroom.services.checklists import RUN_PERMISSION, run_outcome

IN_PROGRESS_SHOWN = 50


def _item_prefix(item: ChecklistRunItem) -> str:
    return f"i{item.position}"


# --- list and templates ----------------------------------------------------------------------


@page_rule("warroom.view_checklistrun")
def checklist_list(request: HttpRequest) -> HttpResponse:
    filters = RunFilterForm(request.GET or None)
    wanted: dict = {"exclude_status": ChecklistRun.Status.IN_PROGRESS}
    launch = None
    if filters.is_valid():
        template = filters.cleaned_data.get("template")
        wanted["template"] = template.slug if template else None
        if filters.cleaned_data.get("status"):
            wanted["status"] = filters.cleaned_data["status"]
            wanted.pop("exclude_status")
        launch = filters.cleaned_data.get("launch")
        wanted["launch"] = launch.pk if launch else None
    in_progress = list(
        selectors.run_list(
            user=request.user,
            filters={
                "status": ChecklistRun.Status.IN_PROGRESS,
                "launch": launch.pk if launch else None,
            },
        )[:IN_PROGRESS_SHOWN]
    )
    page = paginate(request, selectors.run_list(user=request.user, filters=wanted))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "warroom/checklist_list.html",
        {
            "templates": selectors.template_list(user=request.user).order_by("-active", "kind"),
            "in_progress": in_progress,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "can_run": can(request.user, RUN_PERMISSION),
            "can_manage": can(request.user, "warroom.add_checklisttemplate"),
        },
    )


@page_rule("warroom.view_checklisttemplate")
def template_detail(request: HttpRequest, slug: str) -> HttpResponse:
    template = get_object_or_404(selectors.template_detail(user=request.user), slug=slug)
    runs = selectors.run_list(user=request.user, filters={"template": slug})[:10]
    return render(
        request,
        "warroom/checklist_template.html",
        {
            "template": template,
            "runs": runs,
            "can_run": can(request.user, RUN_PERMISSION) and template.active,
            "can_edit": can(request.user, "warroom.change_checklisttemplate", template),
        },
    )


def _template_form(request: HttpRequest, template=None) -> HttpResponse:
    initial = (
        {
            "name": template.name,
            "slug": template.slug,
            "kind": template.kind,
            "description": template.description,
            "source": template.source,
            "active": template.active,
        }
        if template
        else {"active": True}
    )
    form = TemplateForm(request.POST or None, initial=initial)
    formset = TemplateItemFormSet(
        request.POST or None,
        initial=template_item_initial(template) if template else None,
        prefix="items",
        # Rows left as they were still count (a blank title drops a row, nothing else).
        form_kwargs={"empty_permitted": False},
    )
    if template is not None:
        form.fields["slug"].disabled = True
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        items = [f.as_item() for f in formset.forms]
        items = [i for i in items if i is not None]
        data = form.cleaned_data
        try:
            if template is None:
                template = services.checklist_template_create(
                    actor=request.user,
                    name=data["name"],
                    slug=data.get("slug") or "",
                    kind=data["kind"],
                    description=data.get("description", ""),
                    source=data.get("source", ""),
                    active=data.get("active", False),
                    items=items,
                )
            else:
                template = services.checklist_template_update(
                    actor=request.user,
                    template=template,
                    name=data["name"],
                    kind=data["kind"],
                    description=data.get("description", ""),
                    source=data.get("source", ""),
                    active=data.get("active", False),
                    items=items,
                )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Checklist saved. Runs already started keep their items."))
            return redirect("warroom:checklist_template", slug=template.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "warroom/checklist_template_form.html",
        {"template": template, "form": form, "formset": formset},
        status=status,
    )


@page_rule("warroom.add_checklisttemplate")
@one_submission
def template_new(request: HttpRequest) -> HttpResponse:
    return _template_form(request)


@page_rule(Rule(perm="warroom.change_checklisttemplate", object_level=True))
def template_edit(request: HttpRequest, slug: str) -> HttpResponse:
    template = get_object_or_404(selectors.template_detail(user=request.user), slug=slug)
    check_object(request, "warroom.change_checklisttemplate", template)
    return _template_form(request, template)


# --- runs -----------------------------------------------------------------------------------


@page_rule(RUN_PERMISSION)
@one_submission
def run_start(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("template"):
        initial["template"] = request.GET["template"]
    if request.GET.get("launch", "").isdigit():
        initial["launch"] = int(request.GET["launch"])
    form = RunStartForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.checklist_run_start(
                actor=request.user,
                template=form.cleaned_data["template"],
                environment=form.cleaned_data["environment"],
                launch_label=form.cleaned_data["launch_label"],
                launch=form.cleaned_data["launch"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Run started."))
            return redirect("warroom:checklist_run", pk=run.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "warroom/checklist_start.html", {"form": form}, status=status)


def _run_context(request: HttpRequest, run: ChecklistRun, bound: dict | None = None) -> dict:
    bound = bound or {}
    can_mark = run.is_open and can(request.user, RUN_PERMISSION)
    items = list(run.items.all())
    rows = [
        {
            "item": item,
            "form": bound.get(item.pk)
            or (ItemMarkForm(prefix=_item_prefix(item)) if can_mark else None),
        }
        for item in items
    ]
    return {
        "run": run,
        "rows": rows,
        "can_mark": can_mark,
        "summary": _summary(items),
        "complete_form": RunCompleteForm(),
        "abandon_form": RunAbandonForm(),
    }


def _summary(items: list[ChecklistRunItem]) -> dict:
    counts = {value: 0 for value in ChecklistRunItem.Result.values}
    required_open = 0
    for item in items:
        counts[item.result] += 1
        if item.required and item.result == ChecklistRunItem.Result.OPEN:
            required_open += 1
    return {
        "counts": counts,
        "total": len(items),
        "required_open": required_open,
        "outcome": run_outcome(items) if items else "",
    }


def _load_run(request: HttpRequest, pk: int) -> ChecklistRun:
    return get_object_or_404(selectors.run_detail(user=request.user), pk=pk)


@page_rule("warroom.view_checklistrun")
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _load_run(request, pk)
    return render(request, "warroom/checklist_run.html", _run_context(request, run))


@page_rule(RUN_PERMISSION)
@require_POST
def item_mark(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    run = _load_run(request, pk)
    item = next((i for i in run.items.all() if i.position == position), None)
    if item is None:
        raise Http404
    form = ItemMarkForm(request.POST, request.FILES, prefix=_item_prefix(item))
    ok = False
    if form.is_valid():
        try:
            services.checklist_item_mark(
                actor=request.user,
                item=item,
                result=form.cleaned_data["result"],
                note=form.cleaned_data["note"],
                evidence_text=form.cleaned_data["evidence_text"],
                evidence_file=form.cleaned_data.get("evidence_file"),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            ok = True
    if ok and not is_htmx(request):
        messages.success(request, _("Item %(n)s marked.") % {"n": item.position})
        return redirect(f"{run.get_absolute_url()}#item-{item.position}")
    run = _load_run(request, pk)  # fresh items, marks and counts
    fresh = next(i for i in run.items.all() if i.position == position)
    bound = {} if ok else {fresh.pk: form}
    context = _run_context(request, run, bound)
    if is_htmx(request):
        row = next(r for r in context["rows"] if r["item"].pk == fresh.pk)
        # An htmx answer swaps the item (with its field errors) and the summary (out of band).
        return render(
            request,
            "warroom/checklist_item_swap.html",
            {**context, "row": row},
        )
    return render(request, "warroom/checklist_run.html", context, status=400)


@page_rule(RUN_PERMISSION)
@require_POST
def run_complete(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(selectors.runs(), pk=pk)
    form = RunCompleteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("warroom:checklist_run", pk=run.pk)
    try:
        run = services.checklist_run_complete(
            actor=request.user, run=run, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        error_messages(request, error)
        return redirect("warroom:checklist_run", pk=run.pk)
    messages.success(
        request, _("Run completed: %(result)s.") % {"result": run.get_result_display()}
    )
    return redirect("warroom:checklist_report", pk=run.pk)


@page_rule(RUN_PERMISSION)
@require_POST
def run_abandon(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(selectors.runs(), pk=pk)
    form = RunAbandonForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("warroom:checklist_run", pk=run.pk)
    try:
        services.checklist_run_abandon(
            actor=request.user, run=run, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("Run abandoned."))
    return redirect("warroom:checklist_run", pk=run.pk)


# --- report -------------------------------------------------------------------------------


@page_rule("warroom.view_checklistrun")
@require_GET
def run_report(request: HttpRequest, pk: int) -> HttpResponse:
    run = _load_run(request, pk)
    marks = sorted(
        ((item, mark) for item in run.items.all() for mark in item.marks.all()),
        key=lambda row: (row[1].at, row[1].pk),
    )
    return render(
        request,
        "warroom/checklist_report.html",
        {
            "run": run,
            "items": run.items.all(),
            "marks": marks,
            "summary": _summary(list(run.items.all())),
            "tz_name": timezone.get_current_timezone_name(),
            "now": timezone.now(),
        },
    )


@page_rule("warroom.view_checklistrun")
@require_GET
def run_report_markdown(request: HttpRequest, pk: int) -> HttpResponse:
    run = _load_run(request, pk)
    response = HttpResponse(
        checklist_report.render_markdown(run), content_type="text/markdown; charset=utf-8"
    )
    name = checklist_report.report_filename(run, "md")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@page_rule("warroom.view_checklistrun")
@require_GET
def run_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    run = _load_run(request, pk)
    response = HttpResponse(checklist_report.render_pdf(run), content_type="application/pdf")
    name = checklist_report.report_filename(run, "pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- evidence files (never served from MEDIA_URL; only to people who may see runs) ---------


def _file_response(field, name: str, content_type: str = "") -> FileResponse:
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@page_rule("warroom.view_checklistrun")
@require_GET
def item_evidence(request: HttpRequest, pk: int, position: int) -> FileResponse:
    item = get_object_or_404(
        selectors.run_item_list(user=request.user), run_id=pk, position=position
    )
    return _file_response(item.evidence_file, item.evidence_file_name, item.evidence_content_type)


@page_rule("warroom.view_checklistrun")
@require_GET
def mark_evidence(request: HttpRequest, pk: int) -> FileResponse:
    mark = get_object_or_404(selectors.mark_list(user=request.user), pk=pk)
    return _file_response(mark.evidence_file, mark.evidence_file_name)
