"""Status update pages: the incident page's panel, posting an update (with a preview), the
list of updates sent, and the templates they start from.

Every write goes through ``apps.incidents.services.comms``; these views pick forms and words.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.pages import check_object
from apps.accounts.policy import can
from apps.core.rules import Rule, page_rule
from apps.core.web.forms import apply_validation_error
from apps.core.web.once import one_submission
from apps.core.web.pages import paginate
from apps.incidents.forms_comms import StatusTemplateForm, StatusUpdateForm
from apps.incidents.models import Incident
from apps.incidents.selectors import comms as selectors
from apps.incidents.services import comms as services
from apps.incidents.services.comms_render import INTERNAL_PLACEHOLDERS, PLACEHOLDERS

VIEW_INCIDENT = "incidents.view_incident"
VIEW_UPDATE = "incidents.view_statusupdate"
VIEW_TEMPLATE = "incidents.view_statustemplate"
ADD_TEMPLATE = "incidents.add_statustemplate"
CHANGE_TEMPLATE = "incidents.change_statustemplate"
PANEL_UPDATES = 5


def incident_url(incident: Incident) -> str:
    """The incident page (the core part's), or this part's list when it is not routed."""
    try:
        return reverse("incidents:detail", args=[incident.number])
    except NoReverseMatch:
        return reverse("incidents:updates", args=[incident.number])


def _incident_or_404(request: HttpRequest, number: str) -> Incident:
    incident = selectors.incident_get(user=request.user, number=number)
    if incident is None:
        raise Http404
    return incident


def _update_form(request, incident, data=None, initial=None) -> StatusUpdateForm:
    return StatusUpdateForm(
        data,
        initial=initial,
        templates=selectors.status_template_list(user=request.user, active=True),
        channel_names=selectors.update_channel_names(),
        auto_id="id_update_%s",
    )


def _is_late(incident: Incident) -> bool:
    return bool(
        incident.is_open
        and incident.next_update_due_at
        and incident.next_update_due_at <= timezone.now()
    )


def _send_kwargs(form: StatusUpdateForm) -> dict:
    data = form.cleaned_data
    return {
        "audience": data["audience"],
        "language": data["language"],
        "template": data.get("template"),
        "subject": data.get("subject") or None,
        "body": data.get("body") or None,
        "message": data.get("message") or "",
        "next_update_in_minutes": data.get("next_update_in_minutes"),
    }


# --- the incident page's panel -------------------------------------------------------------


def panel(request: HttpRequest, incident: Incident) -> dict:
    """The status updates section of the incident page (a constant number of queries)."""
    updates = list(
        selectors.status_update_list(user=request.user, incident=incident)[:PANEL_UPDATES]
    )
    may_send = services.can_send(request.user, incident) and incident.is_open
    return {
        "comms_updates": updates,
        "comms_count": selectors.status_update_list(user=request.user, incident=incident).count(),
        "comms_next_due": incident.next_update_due_at if incident.is_open else None,
        "comms_late": _is_late(incident),
        "comms_may_send": may_send,
        "comms_form": _update_form(request, incident) if may_send else None,
    }


# --- updates of one incident ---------------------------------------------------------------


@page_rule(Rule(perm=VIEW_UPDATE))
def update_list(request: HttpRequest, number: str) -> HttpResponse:
    """Every status update sent for an incident, newest first."""
    incident = _incident_or_404(request, number)
    page = paginate(request, selectors.status_update_list(user=request.user, incident=incident))
    return render(
        request,
        "incidents/comms/update_list.html",
        {
            "incident": incident,
            "incident_url": incident_url(incident),
            "page": page,
            "late": _is_late(incident),
            "may_send": services.can_send(request.user, incident) and incident.is_open,
        },
    )


@page_rule(Rule(perm=VIEW_INCIDENT, object_level=True))
@one_submission
def update_new(request: HttpRequest, number: str) -> HttpResponse:
    """Post a status update (the service decides who may: runs the incident, or comms lead)."""
    incident = _incident_or_404(request, number)
    check_object(request, VIEW_INCIDENT, incident)
    if not services.can_send(request.user, incident):
        raise PermissionDenied
    status = 200
    preview = None
    if request.method == "POST":
        form = _update_form(request, incident, data=request.POST)
        if form.is_valid():
            try:
                services.status_update_send(
                    actor=request.user,
                    incident=incident,
                    channels=form.cleaned_data.get("channels") or [],
                    **_send_kwargs(form),
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Status update sent."))
                return redirect(incident_url(incident))
        status = 400
    else:
        initial = {}
        for name in ("audience", "language", "template"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
        form = _update_form(request, incident, initial=initial)
    return render(
        request,
        "incidents/comms/update_form.html",
        {
            "incident": incident,
            "incident_url": incident_url(incident),
            "form": form,
            "preview": preview,
            "placeholders": PLACEHOLDERS.values(),
            "internal_placeholders": INTERNAL_PLACEHOLDERS,
        },
        status=status,
    )


@page_rule(Rule(perm=VIEW_INCIDENT, object_level=True))
@require_POST
def update_preview(request: HttpRequest, number: str) -> HttpResponse:
    """The update as it would be sent, or why it would be refused (htmx; writes nothing)."""
    incident = _incident_or_404(request, number)
    check_object(request, VIEW_INCIDENT, incident)
    if not services.can_send(request.user, incident):
        raise PermissionDenied
    form = _update_form(request, incident, data=request.POST)
    preview = None
    if form.is_valid():
        try:
            preview = services.status_update_preview(incident=incident, **_send_kwargs(form))
        except ValidationError as exc:
            apply_validation_error(form, exc)
    return render(
        request,
        "incidents/comms/_preview.html",
        {"form": form, "preview": preview, "channels": form.cleaned_data.get("channels", [])},
    )


# --- templates -----------------------------------------------------------------------------


@page_rule(Rule(perm=VIEW_TEMPLATE))
def template_list(request: HttpRequest) -> HttpResponse:
    """The status update templates, by kind, audience and language."""
    page = paginate(request, selectors.status_template_list(user=request.user), per_page=50)
    return render(
        request,
        "incidents/comms/template_list.html",
        {
            "page": page,
            "may_add": _may(request, ADD_TEMPLATE),
            "may_change": _may(request, CHANGE_TEMPLATE),
            "placeholders": PLACEHOLDERS.values(),
            "internal_placeholders": INTERNAL_PLACEHOLDERS,
        },
    )


def _may(request: HttpRequest, perm: str) -> bool:
    return can(request.user, perm)


@page_rule(Rule(perm=ADD_TEMPLATE))
@one_submission
def template_new(request: HttpRequest) -> HttpResponse:
    form = StatusTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.status_template_create(
                actor=request.user,
                key=data["key"],
                name=data["name"],
                audience=data["audience"],
                language=data["language"],
                subject=data["subject"],
                body=data["body"],
                is_active=data["is_active"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("incidents:status_templates")
    return render(
        request,
        "incidents/comms/template_form.html",
        {
            "form": form,
            "template_obj": None,
            "may_change": True,
            "placeholders": PLACEHOLDERS.values(),
        },
        status=400 if request.method == "POST" else 200,
    )


@page_rule(get=Rule(perm=VIEW_TEMPLATE), post=Rule(perm=CHANGE_TEMPLATE))
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.status_template_get(user=request.user, pk=pk)
    if template is None:
        raise Http404
    may_change = _may(request, CHANGE_TEMPLATE)
    form = StatusTemplateForm(request.POST or None, instance=template)
    if not may_change:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.status_template_update(
                actor=request.user,
                template=template,
                name=data["name"],
                subject=data["subject"],
                body=data["body"],
                is_active=data["is_active"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("incidents:status_templates")
    return render(
        request,
        "incidents/comms/template_form.html",
        {
            "form": form,
            "template_obj": template,
            "may_change": may_change,
            "placeholders": PLACEHOLDERS.values(),
        },
        status=400 if request.method == "POST" else 200,
    )
