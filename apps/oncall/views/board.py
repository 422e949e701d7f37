"""The on-call board and team pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.pages import Rule, check_object, page_rule
from apps.accounts.policy import can
from apps.core.web.forms import apply_validation_error
from apps.core.web.once import one_submission
from apps.core.web.pages import error_messages
from apps.oncall import selectors, services
from apps.oncall.forms import (
    LaunchChainForm,
    OverrideForm,
    TeamPersonForm,
    TriggerPageForm,
)
from apps.oncall.models import Team


def _editable_schedules(user, team: Team):
    return [s for s in team.schedules.all() if selectors.can_edit_schedule(user, s)]


def _board_context(request: HttpRequest, forms: dict | None = None) -> dict:
    forms = forms or {}
    rows = []
    people_ids = set()
    board = selectors.on_call_board(user=request.user)
    for info in board:
        for shift in (info.primary_shift, info.backup_shift):
            if shift:
                people_ids.add(shift.user_id)
        people_ids.update(s.user_id for _s, s in info.handoffs)
        people_ids.update(u.user_id for _s, u in info.unreachable)
    people = selectors.users_by_id(people_ids)
    for info in board:
        editable = _editable_schedules(request.user, info.team)
        form = forms.get(info.team.pk)
        if form is None and editable:
            ids = [s.pk for s in sorted(editable, key=lambda s: s.kind != "primary")]
            form = OverrideForm(
                team=info.team,
                schedules=info.team.schedules.filter(pk__in=ids),
                initial={
                    "schedule": ids[0],
                    "start": timezone.localtime().replace(second=0, microsecond=0),
                },
                prefix=f"team-{info.team.pk}",
            )
        rows.append(
            {
                "info": info,
                "primary": people.get(info.primary_shift.user_id) if info.primary_shift else None,
                "backup": people.get(info.backup_shift.user_id) if info.backup_shift else None,
                "handoffs": [
                    (s, shift, people.get(shift.user_id)) for s, shift in info.handoffs[:4]
                ],
                "unreachable": [
                    (s, stretch, people.get(stretch.user_id)) for s, stretch in info.unreachable
                ],
                "form": form,
            }
        )
    return {"rows": rows, "now": timezone.now()}


@page_rule("oncall.view_schedule")
def board(request: HttpRequest) -> HttpResponse:
    """Every team: who is on call now (primary and backup), the next handoffs, gaps and
    stretches where the person on call cannot be reached."""
    return render(request, "oncall/board.html", _board_context(request))


@page_rule("oncall.view_schedule")
@require_POST
@one_submission
def board_override(request: HttpRequest, slug: str) -> HttpResponse:
    """Create an override from the board, then show the board again."""
    team = get_object_or_404(selectors.team_list(user=request.user), slug=slug)
    editable = _editable_schedules(request.user, team)
    if not editable:
        check_object(request, "oncall.change_schedule")
    form = OverrideForm(
        request.POST,
        team=team,
        schedules=team.schedules.filter(pk__in=[s.pk for s in editable]),
        prefix=f"team-{team.pk}",
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.override_create(
                actor=request.user,
                schedule=data["schedule"],
                user=data["user"],
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(user)s now covers %(schedule)s.")
                % {"user": data["user"], "schedule": data["schedule"]},
            )
            return redirect("warroom:board")
    return render(
        request, "oncall/board.html", _board_context(request, {team.pk: form}), status=400
    )


@page_rule("oncall.view_team")
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(
        selectors.team_list(user=request.user).select_related("channel"), slug=slug
    )
    info = selectors.team_on_call(team, timezone.now(), with_outlook=True)
    people = selectors.users_by_id(
        [s.user_id for s in (info.primary_shift, info.backup_shift) if s is not None]
    )
    can_manage = can(request.user, "oncall.change_team", team)
    members = team.memberships.select_related("user").order_by("user__username")
    context = {
        "team": team,
        "info": info,
        "primary": people.get(info.primary_shift.user_id) if info.primary_shift else None,
        "backup": people.get(info.backup_shift.user_id) if info.backup_shift else None,
        "members": members,
        "policies": selectors.policy_list(user=request.user, team=team),
        "pages": selectors.page_list(user=request.user, filters={"team": team.slug})[:10],
        "can_manage": can_manage,
        "can_test": can(request.user, "oncall.send_test_page", team),
        "can_trigger": can(request.user, "oncall.trigger_page"),
        "can_add_policy": can(request.user, "oncall.add_escalationpolicy"),
        "add_form": TeamPersonForm(prefix="add") if can_manage else None,
        "lead_form": TeamPersonForm(
            prefix="lead",
            queryset=team.members.order_by("username"),
            initial={"user": team.lead_id},
        )
        if can_manage
        else None,
        "launch_form": LaunchChainForm(prefix="launch")
        if can(request.user, "oncall.add_escalationpolicy")
        else None,
        "trigger_form": TriggerPageForm(team=team)
        if can(request.user, "oncall.trigger_page")
        else None,
    }
    return render(request, "oncall/team_detail.html", context)


@page_rule(Rule(perm="oncall.change_team", object_level=True))
@require_POST
def team_members(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a member, remove one, or set the lead (``action`` says which)."""
    team = get_object_or_404(selectors.team_list(user=request.user), slug=slug)
    check_object(request, "oncall.change_team", team)
    action = request.POST.get("action")
    prefix = "lead" if action == "lead" else "add"
    queryset = team.members.all() if action in {"lead", "remove"} else None
    form = TeamPersonForm(
        request.POST, prefix=prefix if action != "remove" else "remove", queryset=queryset
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect("warroom:team_detail", slug=team.slug)
    user = form.cleaned_data["user"]
    try:
        if action == "lead":
            services.team_set_lead(actor=request.user, team=team, lead=user)
            messages.success(request, _("%(user)s leads the team now.") % {"user": user})
        elif action == "remove":
            services.team_member_remove(actor=request.user, team=team, user=user)
            messages.success(request, _("%(user)s left the team.") % {"user": user})
        else:
            services.team_member_add(actor=request.user, team=team, user=user)
            messages.success(request, _("%(user)s joined the team.") % {"user": user})
    except ValidationError as error:
        error_messages(request, error)
    return redirect("warroom:team_detail", slug=team.slug)


@page_rule(Rule(perm="oncall.send_test_page", object_level=True))
@require_POST
@one_submission
def team_test_page(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(selectors.team_list(user=request.user), slug=slug)
    check_object(request, "oncall.send_test_page", team)
    page = services.page_send_test(actor=request.user, team=team)
    messages.success(request, _("Test page sent; its deliveries show below as they happen."))
    return redirect("warroom:page_detail", pk=page.pk)


@page_rule("oncall.trigger_page")
@require_POST
@one_submission
def team_trigger_page(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(selectors.team_list(user=request.user), slug=slug)
    form = TriggerPageForm(request.POST, team=team)
    if form.is_valid():
        try:
            page = services.page_trigger(
                actor=request.user,
                team=team,
                title=form.cleaned_data["title"],
                details=form.cleaned_data["details"],
                policy=form.cleaned_data["policy"],
            )
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(request, _("Paging %(team)s.") % {"team": team.name})
            return redirect("warroom:page_detail", pk=page.pk)
    else:
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
    return redirect("warroom:team_detail", slug=team.slug)


@page_rule("oncall.add_escalationpolicy")
@require_POST
@one_submission
def team_launch_chain(request: HttpRequest, slug: str) -> HttpResponse:
    """Create the launch runbook's L1–L4 escalation policy for a team."""
    team = get_object_or_404(selectors.team_list(user=request.user), slug=slug)
    form = LaunchChainForm(request.POST, prefix="launch")
    if form.is_valid():
        try:
            policy = services.policy_create_launch_chain(
                actor=request.user,
                team=team,
                architect=form.cleaned_data["architect"],
                cto=form.cleaned_data["cto"],
            )
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(request, _("Escalation policy created from the launch runbook."))
            return redirect("warroom:policy_detail", pk=policy.pk)
    else:
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
    return redirect("warroom:team_detail", slug=team.slug)
