"""Mitigation pages: the switches an incident holds, blocking one, the resolution screen.

- ``/incidents/<number>/switches/`` lists the kill switches the incident holds and offers
  the block form (also the incident page's panel, ``panel()``);
- ``POST /incidents/<number>/switches/block`` blocks one with the incident linked
  (``flags.block_flag``, the flags' own rule);
- ``/incidents/<number>/resolve`` asks, per switch still blocked by the incident, to keep
  it (with a reason) or request the unblock, then resolves the incident.

Every write goes through ``apps.incidents.services.mitigation`` (which calls the flags
services); these views pick forms and words.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.pages import check_object
from apps.accounts.policy import can
from apps.core.rules import Rule, page_rule
from apps.core.web.forms import apply_validation_error
from apps.flags.models import StateSource
from apps.incidents.forms_mitigation import BlockSwitchForm, ResolveForm
from apps.incidents.models import Incident, Status
from apps.incidents.selectors.mitigation import (
    blockable_flags,
    incident_by_number,
    switches_held,
)
from apps.incidents.services import mitigation as services
from apps.incidents.services.incidents import can_run

VIEW = "incidents.view_incident"
RUN = "incidents.change_incident"
BLOCK = services.BLOCK_PERMISSION


def _incident_or_404(request: HttpRequest, number: str) -> Incident:
    incident = incident_by_number(number=number, user=request.user)
    if incident is None:
        raise Http404
    return incident


def incident_url(incident: Incident) -> str:
    """The incident page (the core part's), or this part's switches page without it."""
    try:
        return reverse("incidents:detail", args=[incident.number])
    except NoReverseMatch:
        return reverse("incidents:switches", args=[incident.number])


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _block_form(request: HttpRequest, incident: Incident, data=None):
    """The block form, for a person who may block, on an incident that may still be
    mitigated (None otherwise)."""
    if not can(request.user, BLOCK) or incident.status in (Status.CLOSED, Status.MERGED):
        return None
    return BlockSwitchForm(data, flags=blockable_flags(user=request.user), prefix="block")


def panel(request: HttpRequest, incident: Incident) -> dict:
    """The incident page's section: switches held and the block form. Constant queries:
    the held states (1), pending unblock requests (1, only when something is held), the
    flags for the form (1, only for people who may block)."""
    return {
        "incident": incident,
        "switches": switches_held(incident),
        "block_form": _block_form(request, incident),
        "may_resolve": incident.is_open and can_run(request.user, incident),
        "next": request.get_full_path(),
    }


def _switches_page(request, incident, *, block_form=None, status=200) -> HttpResponse:
    context = panel(request, incident)
    if block_form is not None:
        context["block_form"] = block_form
    context["incident_url"] = incident_url(incident)
    return render(request, "incidents/mitigation/switches.html", context, status=status)


@page_rule(Rule(perm=VIEW))
def switches(request: HttpRequest, number: str) -> HttpResponse:
    """The switches an incident holds, and the block form."""
    return _switches_page(request, _incident_or_404(request, number))


@page_rule(Rule(perm=(VIEW, BLOCK)))
@require_POST
def switch_block(request: HttpRequest, number: str) -> HttpResponse:
    incident = _incident_or_404(request, number)
    form = _block_form(request, incident, request.POST)
    if form is None:
        messages.error(
            request,
            _("%(number)s is %(status)s: block switches from an open incident.")
            % {"number": incident.number, "status": incident.get_status_display()},
        )
        return redirect(incident_url(incident))
    if form.is_valid():
        data = form.cleaned_data
        try:
            change = services.incident_block_switch(
                actor=request.user,
                incident=incident,
                flag=data["flag"],
                scope_kind=data["scope_kind"],
                scope_value=data["scope_value"],
                reason=data["reason"],
                source=StateSource.PORTAL,
            )
        except ValidationError as error:
            apply_validation_error(form, error, field_map={"state": "__all__"})
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You may not block this switch."))
        else:
            state = change.state
            messages.success(
                request,
                _("%(flag)s is blocked (%(scope)s) for %(number)s.")
                % {"flag": state.flag.key, "scope": state.scope_label, "number": incident.number},
            )
            return redirect(_next_url(request, incident_url(incident)))
    return _switches_page(request, incident, block_form=form, status=400)


@page_rule(Rule(perm=RUN, object_level=True))
def resolve(request: HttpRequest, number: str) -> HttpResponse:
    """Decide about every switch the incident still holds, then resolve it."""
    incident = _incident_or_404(request, number)
    check_object(request, RUN, incident)
    held = switches_held(incident)
    form = ResolveForm(request.POST or None, switches=held)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = services.incident_resolve(
                    actor=request.user,
                    incident=incident,
                    decisions=form.decisions(),
                    reason=form.cleaned_data["note"],
                    source=StateSource.PORTAL,
                )
            except ValidationError as error:
                apply_validation_error(form, error, field_map={"decisions": "__all__"})
            else:
                messages.success(request, _("%(number)s is resolved.") % {"number": number})
                for state, change_request in result.requested:
                    messages.info(
                        request,
                        _(
                            "Unblock of %(switch)s requested: change request #%(id)s waits "
                            "for a second super admin."
                        )
                        % {"switch": services.switch_label(state), "id": change_request.pk},
                    )
                return redirect(incident_url(incident))
    return render(
        request,
        "incidents/mitigation/resolve.html",
        {
            "incident": incident,
            "form": form,
            "switches": held,
            "incident_url": incident_url(incident),
            "is_open": incident.is_open,
        },
        status=status,
    )
