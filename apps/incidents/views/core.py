"""Incident pages: the list, declaring, the incident page and its actions, timeline
exports, severity levels.

Every write goes through ``apps.incidents.services``; these views pick forms and words.
All staff see every incident; the actions need the right to run it (the commander, a role
holder, incident commanders and super admins), checked on the incident.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.pages import check_object
from apps.accounts.policy import can
from apps.core.rules import Rule, page_rule
from apps.core.web.forms import apply_validation_error
from apps.core.web.once import one_submission
from apps.core.web.pages import paginate
from apps.incidents import forms_core as forms
from apps.incidents.models import STATUS_LADDER, Incident, IncidentRole, Status
from apps.incidents.panels import PANELS
from apps.incidents.selectors import incidents as selectors
from apps.incidents.selectors import timeline as timeline_selectors
from apps.incidents.services import lifecycle, severities
from apps.incidents.services.closing import closing_blockers
from apps.incidents.services.incidents import RUN_PERMISSION, can_run

VIEW = "incidents.view_incident"
DECLARE = "incidents.add_incident"
RUN = Rule(perm=RUN_PERMISSION, object_level=True)
TIMELINE_PAGE_SIZE = 100


def _incident_or_404(request: HttpRequest, number: str) -> Incident:
    incident = selectors.incident_get(user=request.user, number=number)
    if incident is None:
        raise Http404
    return incident


def _runnable(request: HttpRequest, number: str) -> Incident:
    incident = _incident_or_404(request, number)
    check_object(request, RUN_PERMISSION, incident)
    return incident


# --- the list ---------------------------------------------------------------------------


@page_rule(Rule(perm=VIEW))
def incident_list(request: HttpRequest) -> HttpResponse:
    """Incidents newest first, filtered, a keyset page at a time (``cursor``)."""
    codes = [s.code for s in selectors.severities(user=request.user)]
    filters = forms.IncidentFilterForm(request.GET or None, severity_codes=codes)
    values = {"status": "open", "severity": "", "mine": False, "q": "", "cursor": ""}
    if filters.is_bound and filters.is_valid():
        values.update({k: v for k, v in filters.cleaned_data.items() if v not in (None, "")})
    queryset = selectors.incidents_filtered(
        user=request.user,
        status=values["status"] or "open",
        severity=values["severity"],
        owner=request.user if values["mine"] else None,
        text=values["q"],
    )
    try:
        page = selectors.incidents_page(queryset, cursor=values["cursor"] or None)
    except selectors.CursorInvalid:
        page = selectors.incidents_page(queryset)
    query = {k: v for k, v in values.items() if k != "cursor" and v not in ("", False)}
    if values["mine"]:
        query["mine"] = "on"
    next_url = "?" + urlencode({**query, "cursor": page.next_cursor}) if page.next_cursor else None
    return render(
        request,
        "incidents/core/list.html",
        {
            "filters": filters,
            "incidents": page.items,
            "next_url": next_url,
            "first_url": "?" + urlencode(query) if values["cursor"] else None,
            "may_declare": can(request.user, DECLARE),
        },
    )


# --- declaring --------------------------------------------------------------------------


@page_rule(Rule(perm=DECLARE))
@one_submission
def incident_declare(request: HttpRequest) -> HttpResponse:
    may_page = can(request.user, "oncall.trigger_page")
    form = forms.DeclareForm(request.POST or None, may_page=may_page)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["affected_actions"] = list(data.get("affected_actions") or [])
        page_team = data.pop("page_team", None)
        try:
            incident = lifecycle.incident_declare_and_page(
                actor=request.user, page_team=page_team, **data
            )
        except ValidationError as error:
            apply_validation_error(form, error, field_map={"team": "page_team"})
        else:
            messages.success(
                request, _("Incident %(number)s declared.") % {"number": incident.number}
            )
            return redirect("incidents:detail", number=incident.number)
    return render(
        request,
        "incidents/core/declare.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- the incident page --------------------------------------------------------------------


def _action_forms(incident: Incident) -> dict:
    return {
        "status_form": forms.StatusForm(
            prefix="status", initial={"status": _next_status(incident.status)}
        ),
        "severity_form": forms.SeverityForm(
            prefix="severity", initial={"severity": incident.severity.code}
        ),
        "edit_form": forms.EditForm.for_incident(incident),
        "role_form": forms.RoleForm(prefix="role"),
        "end_role_form": forms.EndRoleForm(prefix="endrole"),
        "entry_form": forms.EntryForm(prefix="entry"),
        "page_form": forms.PageTeamForm(prefix="page"),
        "merge_form": forms.MergeForm(prefix="merge"),
    }


def _next_status(status: str) -> str:
    if status in STATUS_LADDER and status != Status.CLOSED:
        return STATUS_LADDER[STATUS_LADDER.index(status) + 1]
    return status


def _detail(request: HttpRequest, incident: Incident, *, bound: dict | None = None, status=200):
    show = request.GET.get("show", "all")
    if show not in timeline_selectors.TIMELINE_FILTERS:
        show = "all"
    entries = paginate(
        request,
        timeline_selectors.timeline_entries(incident, show=show),
        per_page=TIMELINE_PAGE_SIZE,
    )
    may_run = can_run(request.user, incident)
    final = incident.status in (Status.CLOSED, Status.MERGED)
    context = {
        "incident": incident,
        "roles": selectors.role_history(incident),
        "entries": entries,
        "pinned": timeline_selectors.pinned_entries(incident) if show != "pinned" else [],
        "show": show,
        "timeline_filters": [
            ("all", _("Everything")),
            ("people", _("Notes and decisions")),
            ("automatic", _("Automatic")),
            ("pinned", _("Pinned")),
        ],
        "may_run": may_run and not final,
        "final": final,
        "close_blockers": closing_blockers(incident)
        if may_run and incident.status == Status.RESOLVED
        else [],
        "role_labels": dict(IncidentRole.choices),
    }
    context["panels"] = [
        {"key": panel.key, "html": _render_panel(request, panel, incident, context)}
        for panel in PANELS
    ]
    if context["may_run"]:
        context.update(_action_forms(incident))
        context.update(bound or {})
    return render(request, "incidents/core/detail.html", context, status=status)


def _render_panel(request: HttpRequest, panel, incident: Incident, page: dict) -> str:
    """A panel's partial rendered with its own context (the keys of its function's dict)
    plus ``incident``, ``may_run`` and ``final`` of the page."""
    context = {"incident": incident, "may_run": page["may_run"], "final": page["final"]}
    context.update(panel.context(request, incident) or {})
    return render_to_string(panel.template, context, request=request)


@page_rule(Rule(perm=VIEW))
def incident_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, _incident_or_404(request, number))


def _act(request: HttpRequest, number: str, form_key: str, form, run) -> HttpResponse:
    """Validate ``form``, call ``run(data, incident)``; on refusal show the page with the
    form's errors (400), else back to the incident."""
    incident = _runnable(request, number)
    if form.is_valid():
        try:
            message = run(form.cleaned_data, incident)
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied:
            raise
        else:
            if message:
                messages.success(request, message)
            return redirect("incidents:detail", number=incident.number)
    incident = _incident_or_404(request, number)
    return _detail(request, incident, bound={form_key: form}, status=400)


@page_rule(post=RUN)
@require_POST
@one_submission
def incident_status(request: HttpRequest, number: str) -> HttpResponse:
    def run(data, incident):
        lifecycle.incident_set_status(
            actor=request.user,
            incident=incident,
            status=data["status"],
            reason=data["reason"],
            at=data["at"],
        )
        return _("Status changed to %(status)s.") % {"status": Status(data["status"]).label}

    return _act(
        request, number, "status_form", forms.StatusForm(request.POST, prefix="status"), run
    )


@page_rule(post=RUN)
@require_POST
@one_submission
def incident_severity(request: HttpRequest, number: str) -> HttpResponse:
    def run(data, incident):
        lifecycle.incident_set_severity(
            actor=request.user, incident=incident, severity=data["severity"], reason=data["reason"]
        )
        return _("Severity changed to %(code)s.") % {"code": data["severity"].code}

    return _act(
        request,
        number,
        "severity_form",
        forms.SeverityForm(request.POST, prefix="severity"),
        run,
    )


@page_rule(post=RUN)
@require_POST
@one_submission
def incident_edit(request: HttpRequest, number: str) -> HttpResponse:
    def run(data, incident):
        lifecycle.incident_edit(
            actor=request.user,
            incident=incident,
            title=data["title"],
            summary=data["summary"],
            customer_impact=data["customer_impact"],
            affected_actions=list(data["affected_actions"]),
            started_at=data["started_at"],
            detected_at=data["detected_at"],
        )
        return _("Details saved.")

    return _act(request, number, "edit_form", forms.EditForm(request.POST), run)


@page_rule(post=RUN)
@require_POST
@one_submission
def incident_role(request: HttpRequest, number: str) -> HttpResponse:
    def run(data, incident):
        lifecycle.incident_assign_role(
            actor=request.user, incident=incident, role=data["role"], person=data["person"]
        )
        return _("Role assigned.")

    return _act(request, number, "role_form", forms.RoleForm(request.POST, prefix="role"), run)


@page_rule(post=RUN)
@require_POST
@one_submission
def incident_role_end(request: HttpRequest, number: str) -> HttpResponse:
    def run(data, incident):
        lifecycle.incident_end_role(actor=request.user, incident=incident, role=data["role"])
        return _("Role ended.")

    return _act(
        request, number, "end_role_form", forms.EndRoleForm(request.POST, prefix="endrole"), run
    )


@page_rule(post=RUN)
@require_POST
@one_submission
def incident_entry(request: HttpRequest, number: str) -> HttpResponse:
    def run(data, incident):
        lifecycle.incident_add_entry(actor=request.user, incident=incident, **data)
        return None

    return _act(request, number, "entry_form", forms.EntryForm(request.POST, prefix="entry"), run)


@page_rule(post=RUN)
@require_POST
@one_submission
def incident_page(request: HttpRequest, number: str) -> HttpResponse:
    def run(data, incident):
        lifecycle.incident_page_team(actor=request.user, incident=incident, team=data["team"])
        return _("%(team)s paged.") % {"team": data["team"].name}

    return _act(request, number, "page_form", forms.PageTeamForm(request.POST, prefix="page"), run)


@page_rule(post=RUN)
@require_POST
@one_submission
def incident_merge(request: HttpRequest, number: str) -> HttpResponse:
    def run(data, incident):
        into = selectors.incident_get(user=request.user, number=data["into"].strip())
        if into is None:
            raise ValidationError({"into": _("No incident has this number.")})
        lifecycle.incident_merge(
            actor=request.user, duplicate=incident, into=into, reason=data["reason"]
        )
        return _("Merged into %(number)s.") % {"number": into.number}

    return _act(request, number, "merge_form", forms.MergeForm(request.POST, prefix="merge"), run)


# --- exports ------------------------------------------------------------------------------


@page_rule(Rule(perm=VIEW))
def timeline_md(request: HttpRequest, number: str) -> HttpResponse:
    incident = _incident_or_404(request, number)
    response = HttpResponse(
        timeline_selectors.timeline_markdown(incident), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{incident.number}-timeline.md"'
    return response


@page_rule(Rule(perm=VIEW))
def timeline_json(request: HttpRequest, number: str) -> HttpResponse:
    incident = _incident_or_404(request, number)
    response = HttpResponse(
        json.dumps(timeline_selectors.timeline_json(incident), cls=DjangoJSONEncoder, indent=2),
        content_type="application/json",
    )
    response["Content-Disposition"] = f'inline; filename="{incident.number}-timeline.json"'
    return response


# --- severity levels ---------------------------------------------------------------------


@page_rule(Rule(perm="incidents.view_severity"))
def severity_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "incidents/core/severities.html",
        {
            "severities": list(selectors.severities(user=request.user)),
            "may_add": can(request.user, "incidents.add_severity"),
            "may_change": can(request.user, "incidents.change_severity"),
        },
    )


def _severity_form(request: HttpRequest, severity=None) -> HttpResponse:
    form = forms.SeverityLevelForm(request.POST or None, instance=severity)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in severities.SEVERITY_FIELDS}
        try:
            saved = severities.severity_save(actor=request.user, severity=severity, **values)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Severity %(code)s saved.") % {"code": saved.code})
            return redirect("incidents:severities")
    return render(
        request,
        "incidents/core/severity_form.html",
        {"form": form, "severity": severity},
        status=400 if request.method == "POST" else 200,
    )


@page_rule(Rule(perm="incidents.add_severity"))
@one_submission
def severity_new(request: HttpRequest) -> HttpResponse:
    return _severity_form(request)


@page_rule(Rule(perm="incidents.change_severity"))
@one_submission
def severity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    severity = selectors.severity_get(user=request.user, pk=pk)
    if severity is None:
        raise Http404
    return _severity_form(request, severity)
