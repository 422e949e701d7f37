"""Alert pages under /incidents/alerts/: groups, deliveries, routes, windows, metrics."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.policy import can
from apps.core.rules import page_rule
from apps.core.web.forms import apply_validation_error
from apps.core.web.pages import error_messages, paginate
from apps.incidents.forms_alerts import GroupFilterForm, RouteForm, WindowForm
from apps.incidents.models.alerts import matcher_text
from apps.incidents.selectors import alerts as selectors
from apps.incidents.services import alerts_config

VIEW = selectors.VIEW


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@page_rule(VIEW)
def group_list(request: HttpRequest) -> HttpResponse:
    filters = GroupFilterForm(request.GET or None)
    state, flagged = None, False
    if filters.is_valid():
        state = filters.cleaned_data.get("state") or None
        flagged = bool(filters.cleaned_data.get("flagged"))
    page = paginate(
        request, selectors.group_list(caller=request.user, state=state, flagged=flagged)
    )
    return render(
        request,
        "incidents/alerts/group_list.html",
        {"page": page, "filters": filters, "query": _query(request)},
    )


@page_rule(VIEW)
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(selectors.group_list(caller=request.user), pk=pk)
    return render(
        request,
        "incidents/alerts/group_detail.html",
        {
            "group": group,
            "events": selectors.group_events(group),
            "decisions": selectors.group_decisions(group),
            "pages": group.pages.select_related("page").order_by("-id")[:20],
        },
    )


@page_rule(VIEW)
def delivery_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.delivery_list(caller=request.user).defer("payload"))
    return render(
        request, "incidents/alerts/delivery_list.html", {"page": page, "query": _query(request)}
    )


@page_rule(VIEW)
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(selectors.delivery_list(caller=request.user), pk=pk)
    decisions = paginate(request, delivery.decisions.order_by("index", "id"), per_page=200)
    return render(
        request,
        "incidents/alerts/delivery_detail.html",
        {"delivery": delivery, "page": decisions, "query": _query(request)},
    )


@page_rule(VIEW)
def route_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "incidents/alerts/route_list.html",
        {
            "routes": selectors.route_list(caller=request.user),
            "may_manage": can(request.user, "incidents.change_alertroute"),
        },
    )


def _route_form(request: HttpRequest, route=None) -> HttpResponse:
    if request.method == "POST":
        form = RouteForm(request.POST)
        if form.is_valid():
            fields = dict(form.cleaned_data)
            try:
                saved = alerts_config.route_save(actor=request.user, route=route, **fields)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Route %(name)s saved.") % {"name": saved.name})
                return redirect("incidents:alert_routes")
    elif route is not None:
        form = RouteForm(
            initial={
                "name": route.name,
                "position": route.position,
                "matchers": "\n".join(matcher_text(m) for m in route.matchers),
                "team": route.team,
                "policy": route.policy,
                "open_incident_severity": route.open_incident_severity,
                "incident_owner": route.incident_owner,
                "threshold_count": route.threshold_count,
                "threshold_minutes": route.threshold_minutes,
                "continue_matching": route.continue_matching,
                "enabled": route.enabled,
            }
        )
    else:
        form = RouteForm()
    return render(request, "incidents/alerts/route_form.html", {"form": form, "route": route})


@page_rule("incidents.add_alertroute")
def route_create(request: HttpRequest) -> HttpResponse:
    return _route_form(request)


@page_rule("incidents.change_alertroute")
def route_edit(request: HttpRequest, pk: int) -> HttpResponse:
    route = get_object_or_404(selectors.route_list(caller=request.user), pk=pk)
    return _route_form(request, route)


@page_rule("incidents.change_alertroute")
@require_POST
def route_test(request: HttpRequest, pk: int) -> HttpResponse:
    route = get_object_or_404(selectors.route_list(caller=request.user), pk=pk)
    try:
        delivery = alerts_config.route_test(actor=request.user, route=route)
    except ValidationError as error:
        error_messages(request, error)
        return redirect("incidents:alert_routes")
    messages.success(
        request,
        _("Test alert sent through %(route)s; its decision log follows.") % {"route": route.name},
    )
    return redirect("incidents:alert_delivery", pk=delivery.pk)


@page_rule(get=VIEW, post="incidents.add_maintenancewindow")
def window_list(request: HttpRequest) -> HttpResponse:
    form = WindowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alerts_config.window_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Maintenance window created."))
            return redirect("incidents:alert_windows")
    page = paginate(request, selectors.window_list(caller=request.user))
    return render(
        request,
        "incidents/alerts/window_list.html",
        {
            "page": page,
            "form": form,
            "may_manage": can(request.user, "incidents.add_maintenancewindow"),
            "query": _query(request),
        },
    )


@page_rule("incidents.change_maintenancewindow")
@require_POST
def window_end(request: HttpRequest, pk: int) -> HttpResponse:
    window = get_object_or_404(selectors.window_list(caller=request.user), pk=pk)
    try:
        alerts_config.window_end(actor=request.user, window=window)
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("Maintenance window ended."))
    return redirect("incidents:alert_windows")


@page_rule(VIEW)
def alert_metrics(request: HttpRequest) -> HttpResponse:
    return render(request, "incidents/alerts/metrics.html", {"metrics": selectors.alert_metrics()})


def panel(request, incident) -> dict:
    """The incident page's alerts section: groups attached to the incident (two queries)."""
    from apps.incidents.selectors.alerts import incident_alert_groups

    rows, counts = incident_alert_groups(caller=request.user, incident=incident)
    return {
        "alert_rows": rows,
        "alert_counts": counts,
        "alert_total": sum(counts.values()),
    }
