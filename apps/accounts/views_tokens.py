"""Portal pages for service accounts and their API tokens (verified super admins only).

A new token's plaintext is shown on the answer to the form that created it, with
Cache-Control: no-store, and never again: it is not stored, not put in the session and
not carried by a redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from apps.accounts.forms_tokens import (
    RevokeForm,
    ServiceAccountForm,
    TokenForm,
    TokenScopesForm,
)
from apps.accounts.scopes import SCOPES
from apps.accounts.services import tokens as token_services
from apps.core.navigation import NavItem, register
from apps.core.rules import Rule, page_rule
from apps.core.web.forms import apply_validation_error
from apps.core.web.once import one_submission

PAGE_SIZE = 50
MANAGE = token_services.MANAGE_PERMISSION

register(
    NavItem(
        key="service_accounts",
        label=gettext_lazy("Service accounts"),
        url_name="service_accounts:list",
        permission=MANAGE,
        order=900,
    )
)


def _account(request: HttpRequest, pk: int):
    return get_object_or_404(token_services.service_account_list(user=request.user), pk=pk)


@page_rule(Rule(perm=MANAGE))
@require_http_methods(["GET"])
def account_list(request: HttpRequest) -> HttpResponse:
    accounts = token_services.service_account_list(user=request.user)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/tokens/account_list.html", {"page": page})


@page_rule(Rule(perm=MANAGE))
@require_http_methods(["GET", "POST"])
@one_submission
def account_create(request: HttpRequest) -> HttpResponse:
    form = ServiceAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = token_services.service_account_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Service account %(name)s created.") % {"name": account})
            return redirect("service_accounts:detail", pk=account.pk)
    return render(request, "accounts/tokens/account_form.html", {"form": form})


@page_rule(Rule(perm=MANAGE))
@require_http_methods(["GET"])
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    tokens = token_services.token_list(user=request.user, service_account=account)
    page = Paginator(tokens, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/tokens/account_detail.html",
        {"account": account, "page": page, "scopes": SCOPES},
    )


@page_rule(Rule(perm=MANAGE))
@require_http_methods(["GET", "POST"])
def account_disable(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    if request.method == "POST":
        try:
            token_services.service_account_disable(actor=request.user, account=account)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Service account %(name)s disabled.") % {"name": account})
        return redirect("service_accounts:detail", pk=account.pk)
    return render(request, "accounts/tokens/account_disable.html", {"account": account})


@page_rule(Rule(perm=MANAGE))
@require_http_methods(["GET", "POST"])
@one_submission
def token_create(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, plaintext = token_services.token_create(
                actor=request.user,
                service_account=account,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
                allowed_ips=form.cleaned_data["allowed_ips"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc, field_map={"expires_at": "expires_on"})
        else:
            response = render(
                request,
                "accounts/tokens/token_created.html",
                {"account": account, "token": token, "plaintext": plaintext},
            )
            add_never_cache_headers(response)
            return response
    return render(request, "accounts/tokens/token_form.html", {"account": account, "form": form})


@page_rule(Rule(perm=MANAGE))
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(token_services.token_list(user=request.user), pk=pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token_services.token_revoke(
                actor=request.user, token=token, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
        return redirect("service_accounts:detail", pk=token.service_account_id)
    return render(request, "accounts/tokens/token_revoke.html", {"token": token, "form": form})


@page_rule(Rule(perm=MANAGE))
@require_http_methods(["GET", "POST"])
def token_scopes(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a token's scopes (with a reason); the change is kept with who made it."""
    token = get_object_or_404(token_services.token_list(user=request.user), pk=pk)
    form = TokenScopesForm(request.POST or None, initial={"scopes": token.scopes})
    if request.method == "POST" and form.is_valid():
        try:
            token_services.token_scopes_change(
                actor=request.user,
                token=token,
                scopes=form.cleaned_data["scopes"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Scopes of token %(name)s changed.") % {"name": token.name})
            return redirect("service_accounts:detail", pk=token.service_account_id)
    changes = token.scope_changes.select_related("changed_by")[:20]
    return render(
        request,
        "accounts/tokens/token_scopes.html",
        {"token": token, "form": form, "changes": changes},
        status=400 if request.method == "POST" else 200,
    )
