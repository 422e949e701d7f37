"""For support leads: lookups by agent for sampling, and who the leads are."""

from __future__ import annotations

import random

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.rules import page_rule
from apps.support.forms.replies import LeadForm
from apps.support.selectors.leads import person_get, support_people
from apps.support.selectors.lookups import lookup_sample, lookups_by_agent
from apps.support.services.leads import is_lead, support_lead_set

PERIODS = {"1": 1, "7": 7, "30": 30}


@page_rule("support.review_lookups")
def lookups_page(request: HttpRequest) -> HttpResponse:
    """Lookups per agent over a period, and a random sample of one agent's lookups."""
    days = PERIODS.get(request.GET.get("days", "7"), 7)
    agents = lookups_by_agent(days=days)
    agent_id = request.GET.get("agent")
    sample, agent = [], None
    if agent_id and agent_id.isdigit():
        agent = next((row for row in agents if row["actor_id"] == int(agent_id)), None)
        seed = request.GET.get("seed") or str(random.randrange(10**6))  # noqa: S311
        sample = lookup_sample(actor_id=int(agent_id), days=days, size=20, seed=seed)
    return render(
        request,
        "support/lookups.html",
        {"agents": agents, "days": days, "agent": agent, "sample": sample, "periods": PERIODS},
    )


@page_rule("accounts.assign_role")
def leads_page(request: HttpRequest) -> HttpResponse:
    rows = [{"person": person, "lead": is_lead(person)} for person in support_people()]
    return render(request, "support/leads.html", {"rows": rows, "form": LeadForm()})


@require_POST
@page_rule("accounts.assign_role")
def lead_set(request: HttpRequest, user_id: int) -> HttpResponse:
    person = person_get(pk=user_id)
    if person is None:
        raise Http404
    form = LeadForm(request.POST)
    lead = request.POST.get("lead") == "1"
    if not form.is_valid():
        messages.error(request, _("A reason is required."))
        return redirect("support:leads")
    try:
        support_lead_set(
            actor=request.user, user=person, lead=lead, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            (
                _("%(user)s is now a support lead.")
                if lead
                else _("%(user)s is no longer a support lead.")
            )
            % {"user": person.username},
        )
    return redirect("support:leads")
