"""People pages: the list, a person's roles and MFA, role grants and MFA resets, and the
login lockouts (see and lift)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts import mfa, selectors
from apps.accounts.forms import LockoutLiftForm, MfaResetForm, PeopleFilterForm, RoleForm
from apps.accounts.policy import can
from apps.accounts.roles import ROLES
from apps.accounts.services.lockouts import LIFT_PERMISSION, lockout_lift
from apps.accounts.services.mfa import mfa_reset
from apps.accounts.services.roles import role_grant, role_revoke
from apps.core.rules import Rule, page_rule
from apps.core.web.forms import apply_validation_error

PAGE_SIZE = 25


@page_rule(Rule(perm="accounts.view_user"))
def people_list(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET or None)
    people = selectors.people_list(user=request.user)
    if form.is_valid():
        query = form.cleaned_data.get("q")
        if query:
            people = people.filter(
                Q(username__icontains=query)
                | Q(email__icontains=query)
                | Q(first_name__icontains=query)
                | Q(last_name__icontains=query)
            )
        role = form.cleaned_data.get("role")
        if role:
            people = people.filter(groups__name=role)
    page = Paginator(people.order_by("username").distinct(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "accounts/people_list.html",
        {"form": form, "page": page, "query": query_without_page.urlencode()},
    )


def _person_context(request: HttpRequest, person, **forms) -> dict:
    held = sorted(person.groups.values_list("name", flat=True))
    can_assign = can(request.user, "accounts.assign_role")
    context = {
        "person": person,
        "roles": [(name, ROLES.get(name, "")) for name in held],
        "can_assign": can_assign,
        "can_reset_mfa": can(request.user, "accounts.reset_mfa") and person.pk != request.user.pk,
        "grant_form": RoleForm(only=[r for r in ROLES if r not in held]),
        "reset_form": MfaResetForm(),
        "has_totp": mfa.has_confirmed_device(person),
        "backup_codes_left": mfa.remaining_backup_codes(person),
    }
    context.update(forms)
    return context


def _person(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.people_list(user=request.user), pk=pk)


@page_rule(Rule(perm="accounts.view_user"))
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return render(request, "accounts/person_detail.html", _person_context(request, person))


def _role_change(request: HttpRequest, pk: int, *, grant: bool) -> HttpResponse:
    person = _person(request, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        role = form.cleaned_data["role"]
        service = role_grant if grant else role_revoke
        try:
            service(actor=request.user, user=person, role=role)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if grant:
                message = _("%(user)s now holds the role %(role)s.")
            else:
                message = _("%(user)s no longer holds the role %(role)s.")
            messages.success(request, message % {"user": person.username, "role": role})
            return redirect("accounts:person", pk=person.pk)
    key = "grant_form" if grant else "revoke_form"
    return render(
        request,
        "accounts/person_detail.html",
        _person_context(request, person, **{key: form}),
        status=400,
    )


@page_rule(Rule(perm=("accounts.view_user", "accounts.assign_role")))
@require_POST
def person_role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    return _role_change(request, pk, grant=True)


@page_rule(Rule(perm=("accounts.view_user", "accounts.assign_role")))
@require_POST
def person_role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _role_change(request, pk, grant=False)


@page_rule(Rule(perm=("accounts.view_user", "accounts.reset_mfa")))
@require_POST
def person_mfa_reset(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = MfaResetForm(request.POST)
    if form.is_valid():
        try:
            mfa_reset(actor=request.user, user=person, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("MFA of %(user)s was reset; they enrol again at their next login.")
                % {"user": person.username},
            )
            return redirect("accounts:person", pk=person.pk)
    return render(
        request,
        "accounts/person_detail.html",
        _person_context(request, person, reset_form=form),
        status=400,
    )


# --- login lockouts ------------------------------------------------------------------------


def _lockouts_page(request: HttpRequest, *, status: int = 200, lift_form=None) -> HttpResponse:
    lockouts = selectors.lockout_list(user=request.user)
    return render(
        request,
        "accounts/lockouts.html",
        {
            "lockouts": lockouts,
            "flooded": selectors.flooded_account_list(user=request.user),
            "can_lift": can(request.user, LIFT_PERMISSION),
            "lift_form": lift_form,
        },
        status=status,
    )


@page_rule(Rule(perm=selectors.VIEW_LOCKOUTS))
def lockout_list(request: HttpRequest) -> HttpResponse:
    """Accounts locked at an address now (username, address, failures, since, until)."""
    return _lockouts_page(request)


@page_rule(Rule(perm=(selectors.VIEW_LOCKOUTS, LIFT_PERMISSION)))
@require_POST
def lockout_lift_view(request: HttpRequest) -> HttpResponse:
    """Lift one lockout (POST); the service audits it."""
    form = LockoutLiftForm(request.POST)
    if form.is_valid():
        try:
            lockout_lift(
                actor=request.user,
                username=form.cleaned_data["username"],
                ip_address=form.cleaned_data["ip_address"] or None,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("The lockout of %(user)s at %(address)s was lifted.")
                % {
                    "user": form.cleaned_data["username"],
                    "address": form.cleaned_data["ip_address"] or _("an unknown address"),
                },
            )
            return redirect("accounts:lockouts")
    return _lockouts_page(request, status=400, lift_form=form)
