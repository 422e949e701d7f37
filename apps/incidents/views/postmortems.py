"""Post-mortem pages: the editor under an incident, action items, the incident metrics,
and the post-mortem panel of the incident page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.pages import ANY_VERIFIED, Rule, check_object, page_rule
from apps.core.web.forms import apply_validation_error
from apps.core.web.once import one_submission
from apps.core.web.pages import error_messages, paginate
from apps.incidents.forms.postmortems import (
    ActionItemFilterForm,
    ActionItemForm,
    PostMortemForm,
    ReturnToDraftForm,
)
from apps.incidents.models import POSTMORTEM_SECTIONS, SECTION_FIELDS, PostMortemState
from apps.incidents.selectors import postmortems as selectors
from apps.incidents.services import postmortems as services
from apps.incidents.services.closing import closing_blockers
from apps.incidents.services.incidents import can_run

RUN = "incidents.change_incident"
VIEW = "incidents.view_postmortem"


def _incident(request, number: str):
    incident = selectors.incident_by_number(user=request.user, number=number)
    if incident is None:
        raise Http404
    return incident


def panel(request: HttpRequest, incident) -> dict:
    """The incident page's post-mortem panel: state, due time, overdue, what keeps the
    incident from closing, link (one query beyond the caller's permissions)."""
    postmortem = selectors.postmortem_of(user=request.user, incident=incident)
    now = timezone.now()
    return {
        "postmortem": postmortem,
        "postmortem_required": incident.severity.postmortem_required,
        "postmortem_overdue": postmortem is not None and postmortem.is_overdue(now),
        "postmortem_blockers": services.postmortem_blockers(incident, postmortem)
        if incident.status == "resolved"
        else [],
    }


def _editor(request, incident, postmortem, *, form=None, item_form=None, status=200):
    may_run = can_run(request.user, incident)
    read_only = postmortem is None or postmortem.is_published or not may_run
    if postmortem is not None and form is None:
        form = PostMortemForm(
            initial={
                "owner": postmortem.owner_id,
                **{name: getattr(postmortem, name) for name in SECTION_FIELDS},
            }
        )
    items = (
        list(selectors.action_item_list(user=request.user, postmortem=postmortem))
        if postmortem is not None
        else []
    )
    return render(
        request,
        "incidents/postmortems/editor.html",
        {
            "incident": incident,
            "postmortem": postmortem,
            "sections": [
                (name, label, getattr(postmortem, name) if postmortem else "")
                for name, label in POSTMORTEM_SECTIONS
            ],
            "form": form,
            "item_form": item_form
            or ActionItemForm(initial={"owner": postmortem.owner_id if postmortem else None}),
            "return_form": ReturnToDraftForm(),
            "items": items,
            "today": timezone.localdate(),
            "read_only": read_only,
            "may_run": may_run,
            "overdue": postmortem is not None and postmortem.is_overdue(),
            "blockers": closing_blockers(incident) if incident.status == "resolved" else [],
        },
        status=status,
    )


@page_rule(get=Rule(perm=VIEW), post=Rule(perm=RUN, object_level=True))
@one_submission
def postmortem_edit(request: HttpRequest, number: str) -> HttpResponse:
    """GET: the post-mortem (read-only when published). POST: start it (``create``) or save
    its sections."""
    incident = _incident(request, number)
    postmortem = selectors.postmortem_of(user=request.user, incident=incident)
    if request.method != "POST":
        return _editor(request, incident, postmortem)
    check_object(request, RUN, incident)
    if postmortem is None:
        try:
            services.postmortem_create(actor=request.user, incident=incident)
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(request, _("Post-mortem started from the template."))
        return redirect("incidents:postmortem", number=incident.number)
    form = PostMortemForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.postmortem_update(actor=request.user, postmortem=postmortem, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Post-mortem saved."))
            return redirect("incidents:postmortem", number=incident.number)
    return _editor(request, incident, postmortem, form=form, status=400)


@page_rule(Rule(perm=RUN, object_level=True))
@require_POST
@one_submission
def postmortem_state(request: HttpRequest, number: str) -> HttpResponse:
    """Submit for review, publish, or return to draft (with a reason)."""
    incident = _incident(request, number)
    check_object(request, RUN, incident)
    postmortem = selectors.postmortem_of(user=request.user, incident=incident)
    if postmortem is None:
        raise Http404
    action = request.POST.get("action")
    try:
        if action == "submit":
            services.postmortem_submit(actor=request.user, postmortem=postmortem)
            messages.success(request, _("Submitted for review."))
        elif action == "publish":
            services.postmortem_publish(actor=request.user, postmortem=postmortem)
            messages.success(request, _("Post-mortem published. It is read-only from now on."))
        elif action == "return":
            services.postmortem_return_to_draft(
                actor=request.user, postmortem=postmortem, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Returned to draft."))
        else:
            messages.error(request, _("Unknown action."))
            return redirect("incidents:postmortem", number=incident.number)
    except ValidationError as error:
        error_messages(request, error)
    return redirect("incidents:postmortem", number=incident.number)


@page_rule(Rule(perm=RUN, object_level=True))
@require_POST
@one_submission
def action_item_add(request: HttpRequest, number: str) -> HttpResponse:
    incident = _incident(request, number)
    check_object(request, RUN, incident)
    postmortem = selectors.postmortem_of(user=request.user, incident=incident)
    if postmortem is None:
        raise Http404
    form = ActionItemForm(request.POST)
    if form.is_valid():
        try:
            services.action_item_create(
                actor=request.user, postmortem=postmortem, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Action item added."))
            return redirect("incidents:postmortem", number=incident.number)
    return _editor(request, incident, postmortem, item_form=form, status=400)


@page_rule(get=Rule(perm="incidents.view_actionitem"), post=Rule(perm=ANY_VERIFIED))
@one_submission
def action_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an action item: the incident's team anything (status and link once the
    post-mortem is published), the item's owner its status and link."""
    item = selectors.action_item_by_id(user=request.user, pk=pk)
    if item is None:
        raise Http404
    incident = item.postmortem.incident
    runner = can_run(request.user, incident)
    may_edit = runner or request.user.pk == item.owner_id
    progress_only = not runner or item.postmortem.state == PostMortemState.PUBLISHED
    initial = {
        "title": item.title,
        "owner": item.owner_id,
        "due_date": item.due_date,
        "status": item.status,
        "link": item.link,
    }
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("Only the item's owner or the incident's team may change it."))
        form = ActionItemForm(request.POST, initial=initial, progress_only=progress_only)
        if form.is_valid():
            try:
                services.action_item_update(actor=request.user, item=item, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Action item saved."))
                return redirect("incidents:postmortem", number=incident.number)
        status = 400
    else:
        form = ActionItemForm(initial=initial, progress_only=progress_only)
    return render(
        request,
        "incidents/postmortems/action_item_form.html",
        {"item": item, "incident": incident, "form": form, "may_edit": may_edit},
        status=status,
    )


@page_rule("incidents.view_actionitem")
def action_item_list(request: HttpRequest) -> HttpResponse:
    """Every action item, filtered: mine, overdue, open."""
    filters = ActionItemFilterForm(request.GET or None)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    items = selectors.action_item_list(
        user=request.user,
        mine=bool(wanted.get("mine")),
        overdue=bool(wanted.get("overdue")),
        open_only=bool(wanted.get("open")),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incidents/postmortems/action_items.html",
        {
            "page": paginate(request, items),
            "filters": filters,
            "query": query.urlencode(),
            "today": timezone.localdate(),
        },
    )


def duration_text(value) -> str:
    """A mean duration for people: "2 d 3 h", "3 h 12 min", "45 min", "—" when none."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


@page_rule("incidents.view_incident")
def metrics(request: HttpRequest) -> HttpResponse:
    """MTTA, time to mitigate and MTTR per severity and month; post-mortems overdue."""
    return render(
        request,
        "incidents/postmortems/metrics.html",
        {
            "rows": [
                {
                    **row,
                    "mtta_text": duration_text(row["mtta"]),
                    "time_to_mitigate_text": duration_text(row["time_to_mitigate"]),
                    "mttr_text": duration_text(row["mttr"]),
                }
                for row in selectors.incident_metrics(user=request.user)
            ],
            "overdue": selectors.postmortems_overdue_count(user=request.user),
            "overdue_items": selectors.action_item_list(user=request.user, overdue=True).count(),
        },
    )
