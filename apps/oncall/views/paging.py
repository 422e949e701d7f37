"""Escalation policies, pages (acknowledge, resolve, the link in notifications)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.pages import Rule, check_object, page_rule
from apps.accounts.policy import can
from apps.core.web.forms import apply_validation_error
from apps.core.web.once import one_submission
from apps.core.web.pages import error_messages, paginate
from apps.oncall import selectors, services
from apps.oncall.forms import (
    PageFilterForm,
    PolicyForm,
    StepFormSet,
    step_initial,
)
from apps.oncall.models import EscalationPolicy, Team


@page_rule("oncall.view_escalationpolicy")
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(selectors.policy_list(user=request.user), pk=pk)
    return render(
        request,
        "oncall/policy_detail.html",
        {
            "policy": policy,
            "can_edit": can(request.user, "oncall.change_escalationpolicy", policy),
        },
    )


def _policy_form(request, *, team: Team, policy: EscalationPolicy | None):
    initial = {"name": policy.name, "description": policy.description} if policy else {}
    steps = [step_initial(s) for s in policy.steps.all()] if policy else []
    form = PolicyForm(request.POST or None, initial=initial)
    formset = StepFormSet(request.POST or None, initial=steps, prefix="steps")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        step_data = [f.as_step() for f in formset.forms]
        step_data = [s for s in step_data if s is not None]
        try:
            if policy is None:
                policy = services.policy_create(
                    actor=request.user,
                    team=team,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    steps=step_data,
                )
            else:
                policy = services.policy_update(
                    actor=request.user,
                    policy=policy,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    steps=step_data,
                )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Policy saved. Pages already running keep their steps."))
            return redirect("warroom:policy_detail", pk=policy.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "oncall/policy_form.html",
        {"team": team, "policy": policy, "form": form, "formset": formset},
        status=status,
    )


@page_rule("oncall.add_escalationpolicy")
@one_submission
def policy_new(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(selectors.team_list(user=request.user), slug=slug)
    return _policy_form(request, team=team, policy=None)


@page_rule(Rule(perm="oncall.change_escalationpolicy", object_level=True))
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(selectors.policy_list(user=request.user), pk=pk)
    check_object(request, "oncall.change_escalationpolicy", policy)
    return _policy_form(request, team=policy.team, policy=policy)


@page_rule("oncall.view_page")
def page_list(request: HttpRequest) -> HttpResponse:
    filters = PageFilterForm(request.GET or None)
    wanted = {}
    if filters.is_valid():
        team = filters.cleaned_data.get("team")
        wanted = {"team": team.slug if team else None, "status": filters.cleaned_data.get("status")}
    page = paginate(request, selectors.page_list(user=request.user, filters=wanted))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "oncall/page_list.html",
        {"page": page, "filters": filters, "query": query.urlencode()},
    )


@page_rule("oncall.view_page")
def page_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = get_object_or_404(selectors.page_list(user=request.user), pk=pk)
    return render(
        request,
        "oncall/page_detail.html",
        {
            "page": page,
            "events": page.events.select_related("actor"),
            "deliveries": selectors.page_deliveries(user=request.user, page=page)[:200],
            "steps": page.steps,
            "can_ack": can(request.user, "oncall.acknowledge_page"),
        },
    )


@page_rule("oncall.acknowledge_page")
@require_POST
def page_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    page = get_object_or_404(selectors.page_list(user=request.user), pk=pk)
    try:
        services.page_acknowledge(actor=request.user, page=page, via="portal")
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("Acknowledged: the escalation stops here."))
    return redirect("warroom:page_detail", pk=page.pk)


@page_rule("oncall.acknowledge_page")
@require_POST
def page_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    page = get_object_or_404(selectors.page_list(user=request.user), pk=pk)
    services.page_resolve(actor=request.user, page=page, note=request.POST.get("note", "")[:300])
    messages.success(request, _("Page resolved."))
    return redirect("warroom:page_detail", pk=page.pk)


@page_rule("oncall.acknowledge_page")
def page_ack_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a page's notifications: after login and MFA, acknowledge the page.

    The token only finds the page; the verified login is what authorises. Following the
    link twice is harmless (acknowledging is idempotent).
    """
    page = selectors.page_by_ack_token(token)
    if page is None:
        raise Http404
    try:
        services.page_acknowledge(actor=request.user, page=page, via="link")
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("Acknowledged: the escalation stops here."))
    return redirect("warroom:page_detail", pk=page.pk)
