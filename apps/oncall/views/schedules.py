"""Schedule pages: the final schedule and gaps, layers, overrides."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.pages import Rule, check_object, page_rule
from apps.core.web.forms import apply_validation_error
from apps.core.web.once import one_submission
from apps.core.web.pages import error_messages
from apps.oncall import selectors, services
from apps.oncall.forms import LayerForm, OverrideForm, ScheduleForm
from apps.oncall.models import Schedule

OUTLOOK = timedelta(days=14)


def _schedule(request: HttpRequest, pk) -> Schedule:
    return get_object_or_404(selectors.schedule_list(user=request.user), pk=pk)


@page_rule("oncall.view_schedule")
def schedule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Layers, overrides, the final schedule for the next 14 days, its gaps and the
    stretches whose person cannot be reached."""
    schedule = _schedule(request, pk)
    now = timezone.now()
    outlook = selectors.coverage(schedule, now, now + OUTLOOK)
    people = selectors.users_by_id(s.user_id for s in outlook.shifts)
    unreachable_ids = {u.user_id for u in outlook.unreachable}
    rows = [
        {
            "shift": s,
            "user": people.get(s.user_id),
            "gap": False,
            "unreachable": s.user_id in unreachable_ids,
        }
        for s in outlook.shifts
    ]
    rows += [{"shift": g, "user": None, "gap": True} for g in outlook.gaps]
    rows.sort(key=lambda row: row["shift"].start)
    can_edit = selectors.can_edit_schedule(request.user, schedule)
    context = {
        "schedule": schedule,
        "rows": rows,
        "gaps": outlook.gaps,
        "unreachable": [(u, people.get(u.user_id)) for u in outlook.unreachable],
        "layers": selectors.current_layers(schedule),
        "overrides": schedule.overrides.filter(end__gt=now, cancelled_at__isnull=True)
        .select_related("user")
        .order_by("start"),
        "can_edit": can_edit,
        "override_form": OverrideForm(
            team=schedule.team,
            schedules=selectors.schedule_list(user=request.user).filter(pk=schedule.pk),
            initial={"schedule": schedule.pk},
        )
        if can_edit
        else None,
        "now": now,
    }
    return render(request, "oncall/schedule_detail.html", context)


@page_rule(Rule(perm="oncall.change_schedule", object_level=True))
def schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    check_object(request, "oncall.change_schedule", schedule)
    form = ScheduleForm(
        request.POST or None, initial={"name": schedule.name, "timezone": schedule.timezone}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_update(
                actor=request.user,
                schedule=schedule,
                name=form.cleaned_data["name"],
                timezone_name=form.cleaned_data["timezone"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Schedule saved."))
            return redirect("warroom:schedule_detail", pk=schedule.pk)
    return render(request, "oncall/schedule_form.html", {"schedule": schedule, "form": form})


def _layer_form_page(request, schedule, form, layer=None, status=200):
    return render(
        request,
        "oncall/layer_form.html",
        {"schedule": schedule, "form": form, "layer": layer},
        status=status,
    )


@page_rule(Rule(perm="oncall.change_schedule", object_level=True))
@one_submission
def layer_new(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    check_object(request, "oncall.change_schedule", schedule)
    form = LayerForm(request.POST or None, team=schedule.team)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.layer_create(actor=request.user, schedule=schedule, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Layer added; it applies from now on."))
                return redirect("warroom:schedule_detail", pk=schedule.pk)
        return _layer_form_page(request, schedule, form, status=400)
    return _layer_form_page(request, schedule, form)


@page_rule(Rule(perm="oncall.change_schedule", object_level=True))
def layer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    layer = get_object_or_404(selectors.layer_list(user=request.user), pk=pk)
    schedule = layer.schedule
    check_object(request, "oncall.change_schedule", schedule)
    current = selectors.layer_open_version(layer)
    if current is None:
        messages.error(request, _("This layer has ended; add a new layer instead."))
        return redirect("warroom:schedule_detail", pk=schedule.pk)
    form = LayerForm(
        request.POST or None, team=schedule.team, initial=LayerForm.initial_from(current)
    )
    if request.method == "POST":
        if form.is_valid():
            changes = dict(form.cleaned_data)
            participants = changes.pop("participants")
            try:
                services.layer_update(
                    actor=request.user, layer=layer, participants=participants, **changes
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Layer changed from now on; past shifts stay."))
                return redirect("warroom:schedule_detail", pk=schedule.pk)
        return _layer_form_page(request, schedule, form, layer, status=400)
    return _layer_form_page(request, schedule, form, layer)


@page_rule(Rule(perm="oncall.change_schedule", object_level=True))
@require_POST
def layer_end(request: HttpRequest, pk: int) -> HttpResponse:
    layer = get_object_or_404(selectors.layer_list(user=request.user), pk=pk)
    check_object(request, "oncall.change_schedule", layer.schedule)
    services.layer_end(actor=request.user, layer=layer)
    messages.success(request, _("Layer ended from now on; past shifts stay."))
    return redirect("warroom:schedule_detail", pk=layer.schedule_id)


@page_rule(Rule(perm="oncall.change_schedule", object_level=True))
@one_submission
def override_new(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    check_object(request, "oncall.change_schedule", schedule)
    form = OverrideForm(
        request.POST or None,
        team=schedule.team,
        schedules=selectors.schedule_list(user=request.user).filter(pk=schedule.pk),
        initial={"schedule": schedule.pk},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.override_create(
                actor=request.user,
                schedule=schedule,
                user=data["user"],
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Override added."))
            return redirect("warroom:schedule_detail", pk=schedule.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "oncall/override_form.html", {"schedule": schedule, "form": form}, status=status
    )


@page_rule(Rule(perm="oncall.change_schedule", object_level=True))
@require_POST
def override_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    override = get_object_or_404(selectors.override_list(user=request.user), pk=pk)
    check_object(request, "oncall.change_schedule", override.schedule)
    try:
        services.override_cancel(actor=request.user, override=override)
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("Override cancelled from now on."))
    return redirect("warroom:schedule_detail", pk=override.schedule_id)
