"""Flags pages under /flags/: the panel, one-click block, unblock, history, scheduled changes.

Blocking (the safe direction) applies at once. Unblocking a fund-related flag files a
change request that a second super admin approves; the page says so and links it.
Every write goes through ``apps.flags.services``; these views only pick forms and words.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from apps.accounts.policy import can
from apps.approvals import selectors as approval_selectors
from apps.approvals.services import ApprovalRefused
from apps.core.rules import Rule, page_rule
from apps.core.web.forms import apply_validation_error
from apps.core.web.once import one_submission
from apps.flags import selectors, services
from apps.flags.forms import (
    CancelForm,
    FlagFilterForm,
    FlagStateForm,
    ScheduledChangeForm,
    ScheduledFilterForm,
    UnblockRequestForm,
)
from apps.flags.handlers import KIND as FLAG_STATE_KIND
from apps.flags.handlers import UNBLOCK_REQUEST_KIND
from apps.flags.models import Flag, FlagKind, ScheduledStatus, StateSource
from apps.flags.scopes import ScopeKind

VIEW = "flags.view_flag"
USER_SCOPE = "flags.set_user_scope"
SCHEDULE = "flags.schedule_change"
HISTORY_PAGE_SIZE = 25
SCHEDULED_PAGE_SIZE = 25

SAFE, RISKY = "safe", "risky"


def _scope_kinds_for(user, flag: Flag, direction: str) -> list[str]:
    """The scope kinds this person may set on ``flag`` in ``direction`` (the service
    asks the same question again; this keeps the form from offering what it refuses)."""
    state = flag.safe_state if direction == SAFE else flag.risky_state
    return [
        kind for kind in flag.accepted_scopes if services.may_set_state(user, flag, state, kind)
    ]


def _state_form(user, flag: Flag, direction: str, data=None, initial=None, auto_id=None):
    kinds = _scope_kinds_for(user, flag, direction)
    if not kinds:
        return None
    form = FlagStateForm(
        data, flag=flag, initial=initial, auto_id=auto_id or "id_%s", use_required_attribute=True
    )
    form.fields["scope_kind"].choices = [
        choice for choice in form.fields["scope_kind"].choices if choice[0] in kinds
    ]
    if ScopeKind.GLOBAL not in kinds:
        form.fields["scope_kind"].initial = kinds[0]
    return form


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _flag_or_404(key: str) -> Flag:
    flag = selectors.flag_get(key=key)
    if flag is None:
        raise Http404
    return flag


def _row_for(user, flag: Flag):
    for row in selectors.flags_panel(user=user):
        if row.flag.pk == flag.pk:
            return row
    return None


def _with_pending_requests(states, flag_key: str | None = None) -> None:
    """Mark each state with the pending change request to leave it (``pending_request``),
    so the page says "unblock requested" instead of offering a second request. One query."""
    prefix = f"{FLAG_STATE_KIND}:" + (f"{flag_key}:" if flag_key else "")
    pending = {}
    for change_request in approval_selectors.pending_for_targets(
        kinds=[FLAG_STATE_KIND, UNBLOCK_REQUEST_KIND], target_prefix=prefix
    ).only("pk", "target", "status"):
        parts = change_request.target.split(":", 3)
        if len(parts) == 4:
            pending[tuple(parts[1:])] = change_request
    for state in states:
        state.pending_request = pending.get((state.flag.key, state.scope_kind, state.scope_value))


def _may_request_unblock(user, flag: Flag) -> bool:
    """May block a customer but not lift the block (support on a fund-related flag): the
    page offers to ask for the unblock instead."""
    return (
        ScopeKind.USER in flag.accepted_scopes
        and can(user, USER_SCOPE)
        and not services.may_set_state(user, flag, flag.risky_state, ScopeKind.USER)
    )


def _direction_words(flag: Flag, direction: str) -> dict:
    gate = flag.kind == FlagKind.GATE
    names = {"flag": flag.key}
    if direction == SAFE:
        return {
            "title": (_("Close %(flag)s") if gate else _("Block %(flag)s")) % names,
            "button": _("Close") if gate else _("Block"),
        }
    return {
        "title": (_("Open %(flag)s") if gate else _("Unblock %(flag)s")) % names,
        "button": pgettext("open a gate", "Open") if gate else _("Unblock"),
    }


# --- the panel -----------------------------------------------------------------------------


@page_rule(Rule(perm=VIEW))
def panel(request: HttpRequest) -> HttpResponse:
    """Every flag with the states in force now; blocked ones first; block in one click."""
    filters = FlagFilterForm(request.GET or None)
    rows = selectors.flags_panel(user=request.user)
    if filters.is_valid():
        kind = filters.cleaned_data.get("kind")
        if kind:
            rows = [row for row in rows if row.flag.kind == kind]
        if filters.cleaned_data.get("blocked"):
            rows = [row for row in rows if row.blocked]
    here = request.get_full_path()
    _with_pending_requests([state for row in rows for state in row.states])
    entries = []
    for row in rows:
        entries.append(
            {
                "flag": row.flag,
                "states": row.states,
                "blocked": row.blocked,
                "block_form": _state_form(
                    request.user, row.flag, SAFE, auto_id=f"id_flag{row.flag.pk}_%s"
                ),
                "may_unblock": bool(_scope_kinds_for(request.user, row.flag, RISKY)),
                "may_request_unblock": _may_request_unblock(request.user, row.flag),
                "words": _direction_words(row.flag, SAFE),
            }
        )
    return render(
        request,
        "flags/panel.html",
        {"entries": entries, "filters": filters, "next": here},
    )


# --- one flag ------------------------------------------------------------------------------


@page_rule(Rule(perm=VIEW))
def flag_detail(request: HttpRequest, key: str) -> HttpResponse:
    """A flag: the states in force now, pending scheduled changes and its whole history."""
    flag = _flag_or_404(key)
    row = _row_for(request.user, flag)
    states = list(row.states) if row is not None else []
    _with_pending_requests(states, flag.key)
    history = Paginator(selectors.flag_history(flag=flag), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    pending = selectors.scheduled_changes(
        flag=flag, status=[ScheduledStatus.AWAITING_APPROVAL, ScheduledStatus.SCHEDULED]
    )
    return render(
        request,
        "flags/detail.html",
        {
            "flag": flag,
            "states": states,
            "blocked": bool(row and row.blocked),
            "history": history,
            "pending": pending,
            "block_form": _state_form(request.user, flag, SAFE),
            "may_unblock": bool(_scope_kinds_for(request.user, flag, RISKY)),
            "may_request_unblock": _may_request_unblock(request.user, flag),
            "words": _direction_words(flag, SAFE),
            "next": request.path,
        },
    )


def _set_state(request: HttpRequest, key: str, direction: str) -> HttpResponse:
    flag = _flag_or_404(key)
    initial = {
        name: request.GET[name] for name in ("scope_kind", "scope_value") if name in request.GET
    }
    form = _state_form(
        request.user, flag, direction, data=request.POST or None, initial=initial or None
    )
    if form is None:
        raise PermissionDenied
    default_next = reverse("flags:detail", args=[flag.key])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.flag_state_set(
                actor=request.user,
                flag=flag,
                state=flag.safe_state if direction == SAFE else flag.risky_state,
                reason=data["reason"],
                scope_kind=data["scope_kind"],
                scope_value=data["scope_value"],
                incident_ref=data["incident_ref"],
                until=data["until"],
                source=StateSource.PORTAL,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except ApprovalRefused as error:
            form.add_error(None, error.message)
        else:
            _announce(request, flag, change)
            if change.applied:
                return redirect(_next_url(request, default_next))
            return redirect(default_next)
    return render(
        request,
        "flags/state_form.html",
        {
            "flag": flag,
            "form": form,
            "direction": direction,
            "words": _direction_words(flag, direction),
            "next": _next_url(request, default_next),
        },
        status=400 if request.method == "POST" else 200,
    )


def _announce(request: HttpRequest, flag: Flag, change) -> None:
    if change.applied:
        state = change.state
        messages.success(
            request,
            _("%(flag)s is now %(state)s (%(scope)s).")
            % {"flag": flag.key, "state": state.get_state_display(), "scope": state.scope_label},
        )
        return
    change_request = change.change_request
    messages.warning(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            _(
                "%(flag)s is fund-related: a change request was filed and a second super "
                "admin must approve it. Nothing has changed yet."
            )
            % {"flag": flag.key},
            reverse("approvals:detail", args=[change_request.pk]),
            _("Change request #%(id)s") % {"id": change_request.pk},
        ),
    )


@page_rule(Rule(perm=VIEW))
def flag_block(request: HttpRequest, key: str) -> HttpResponse:
    """Block a kill switch (close a gate) for one scope: applied at once."""
    return _set_state(request, key, SAFE)


@page_rule(Rule(perm=VIEW))
def flag_unblock(request: HttpRequest, key: str) -> HttpResponse:
    """Unblock (open): applied at once, or a change request for fund-related flags."""
    return _set_state(request, key, RISKY)


@page_rule(Rule(perm=(VIEW, USER_SCOPE)))
@one_submission
def flag_request_unblock(request: HttpRequest, key: str) -> HttpResponse:
    """Ask for a customer's block to be lifted (support froze their claims): files a
    change request a super admin approves; people who may unblock it do so at once."""
    flag = _flag_or_404(key)
    if ScopeKind.USER not in flag.accepted_scopes:
        raise Http404
    form = UnblockRequestForm(
        request.POST or None, initial={"scope_value": request.GET.get("scope_value", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.flag_unblock_request(
                actor=request.user,
                flag=flag,
                scope_value=data["scope_value"],
                reason=data["reason"],
                incident_ref=data["incident_ref"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except ApprovalRefused as error:
            form.add_error(None, error.message)
        else:
            _announce(request, flag, change)
            return redirect("flags:detail", key=flag.key)
    return render(
        request,
        "flags/request_unblock.html",
        {"flag": flag, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- scheduled changes ---------------------------------------------------------------------


def _scheduled_context(request: HttpRequest, form=None) -> dict:
    filters = ScheduledFilterForm(request.GET or None)
    wanted = None
    if filters.is_valid():
        wanted = filters.cleaned_data.get("status") or None
    queryset = selectors.scheduled_changes(status=wanted).select_related(
        "cancelled_by", "change_request"
    )
    page = Paginator(queryset, SCHEDULED_PAGE_SIZE).get_page(request.GET.get("page"))
    may_schedule = can(request.user, SCHEDULE)
    if form is None and may_schedule:
        form = ScheduledChangeForm()
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": page,
        "filters": filters,
        "form": form,
        "may_schedule": may_schedule,
        "query": query.urlencode(),
    }


@page_rule(get=Rule(perm=VIEW), post=Rule(perm=(VIEW, SCHEDULE)))
@one_submission
def scheduled(request: HttpRequest) -> HttpResponse:
    """Scheduled changes (open fundraising 24 h after launch): list, add, cancel."""
    if request.method != "POST":
        return render(request, "flags/scheduled.html", _scheduled_context(request))
    form = ScheduledChangeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            change = services.scheduled_change_create(
                actor=request.user,
                flag=data["flag"],
                state=data["state"],
                run_at=data["run_at"],
                reason=data["reason"],
                scope_kind=data["scope_kind"],
                scope_value=data["scope_value"],
                until=data["until"],
                incident_ref=data["incident_ref"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except ApprovalRefused as error:
            form.add_error(None, error.message)
        else:
            if change.status == ScheduledStatus.AWAITING_APPROVAL and change.change_request_id:
                messages.warning(
                    request,
                    format_html(
                        '{} <a href="{}">{}</a>',
                        _(
                            "Scheduled; it runs only once a second super admin approves "
                            "the change request."
                        ),
                        reverse("approvals:detail", args=[change.change_request_id]),
                        _("Change request #%(id)s") % {"id": change.change_request_id},
                    ),
                )
            else:
                messages.success(request, _("Scheduled."))
            return redirect("flags:scheduled")
    return render(request, "flags/scheduled.html", _scheduled_context(request, form), status=400)


@page_rule(Rule(perm=SCHEDULE))
@require_POST
def scheduled_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    change = selectors.scheduled_changes().filter(pk=pk).first()
    if change is None:
        raise Http404
    form = CancelForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, error)
        return redirect("flags:scheduled")
    try:
        services.scheduled_change_cancel(
            actor=request.user, scheduled_change=change, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    except ApprovalRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Scheduled change cancelled."))
    return redirect("flags:scheduled")
