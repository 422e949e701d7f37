"""Configuration pages: the current configuration, its versions and diffs, and the forms
that file change requests (a fee rule, a treasury wallet, restoring a version).

No page saves configuration: every form files a change request and sends the person to
its approval page, where a second person decides.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.policy import can
from apps.approvals.services import ApprovalRefused
from apps.core.rules import page_rule
from apps.seedconfig import selectors, services
from apps.seedconfig.forms import CompareForm, FeeRuleForm, RestoreForm, WalletForm

PAGE_SIZE = 25
_PATH = re.compile(r"^[a-z_]+\[\d+\]\.([a-z_]+)")


def _add_errors(form, exc: ValidationError) -> None:
    """Put the engine's field-path errors on the form field they concern, if it has one."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for path, errors in exc.message_dict.items():
        match = _PATH.match(path)
        field = match.group(1) if match else path
        if field == "contract_address":
            field = "address"
        if field in form.fields and not form.fields[field].disabled:
            form.add_error(field, errors)
        else:
            form.add_error(None, [f"{path}: {error}" for error in errors])


def _file(request, form, filing) -> HttpResponse | None:
    """Run ``filing`` (which files a change request); redirect to it, or leave form errors."""
    try:
        change_request = filing()
    except ApprovalRefused as exc:
        if exc.field and exc.field in form.fields:
            form.add_error(exc.field, exc.message)
        else:
            form.add_error(None, exc.message)
    except ValidationError as exc:
        _add_errors(form, exc)
    else:
        messages.success(request, _("Change request filed; a second person must approve it."))
        return redirect("approvals:detail", pk=change_request.pk)
    return None


@page_rule(selectors.VIEW)
def current(request: HttpRequest) -> HttpResponse:
    version = selectors.current_config_version()
    return render(
        request,
        "seedconfig/current.html",
        {
            "version": version,
            "config": selectors.current_document(version),
            "can_request": can(request.user, selectors.REQUEST),
        },
    )


@page_rule(selectors.VIEW)
def versions(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.version_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "seedconfig/versions.html", {"page": page, "compare_form": CompareForm()}
    )


def _version_or_404(request, number) -> object:
    version = selectors.version_get(user=request.user, number=number)
    if version is None:
        raise Http404
    return version


@page_rule(selectors.VIEW)
def version_detail(request: HttpRequest, number: int) -> HttpResponse:
    version = _version_or_404(request, number)
    previous = selectors.previous_version(version)
    latest = selectors.current_config_version()
    return render(
        request,
        "seedconfig/version_detail.html",
        {
            "version": version,
            "previous": previous,
            "rows": version.diff,
            "config": version.document,
            "is_current": latest is not None and latest.number == version.number,
            "can_request": can(request.user, selectors.REQUEST),
            "restore_form": RestoreForm(),
        },
    )


@page_rule(selectors.REQUEST)
@require_POST
def version_restore(request: HttpRequest, number: int) -> HttpResponse:
    version = _version_or_404(request, number)
    form = RestoreForm(request.POST)
    if form.is_valid():
        response = _file(
            request,
            form,
            lambda: services.config_restore_request(
                actor=request.user, version_number=version.number, **form.request_fields()
            ),
        )
        if response is not None:
            return response
    previous = selectors.previous_version(version)
    return render(
        request,
        "seedconfig/version_detail.html",
        {
            "version": version,
            "previous": previous,
            "rows": version.diff,
            "config": version.document,
            "is_current": False,
            "can_request": True,
            "restore_form": form,
        },
        status=400,
    )


@page_rule(selectors.VIEW)
def compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET or None)
    rows, older, newer = None, None, None
    if form.is_valid():
        older_number, newer_number = form.cleaned_data["older"], form.cleaned_data["newer"]
        newer = selectors.version_get(user=request.user, number=newer_number)
        older = selectors.version_get(user=request.user, number=older_number)
        if newer is None:
            form.add_error("newer", _("No such version."))
        if older is None and older_number != 0:
            form.add_error("older", _("No such version."))
        if not form.errors:
            rows = selectors.version_diff(older=older, newer=newer)
    return render(
        request,
        "seedconfig/compare.html",
        {"form": form, "rows": rows, "older": older, "newer": newer},
        status=400 if form.errors else 200,
    )


def _fee_rule(key: str) -> dict | None:
    document = selectors.current_document(selectors.current_config_version())
    return next((r for r in document["fee_rules"] if r["key"] == key), None)


@page_rule(selectors.REQUEST)
@require_http_methods(["GET", "POST"])
def fee_rule_edit(request: HttpRequest, key: str | None = None) -> HttpResponse:
    """Propose a new fee rule, or a change to the one with ``key``."""
    existing = _fee_rule(key) if key else None
    if key and existing is None:
        raise Http404
    if existing is not None:
        initial = FeeRuleForm.initial_for(existing)
    else:
        initial = {
            "kind": "percent_bps",
            "effective_from": timezone.now(),
            "splits": "treasury 10000",
        }
    form = FeeRuleForm(request.POST or None, initial=initial, editing=existing is not None)
    if request.method == "POST" and form.is_valid():
        response = _file(
            request,
            form,
            lambda: services.config_fee_rule_request(
                actor=request.user, rule=form.rule(), **form.request_fields()
            ),
        )
        if response is not None:
            return response
    return render(
        request,
        "seedconfig/fee_rule_form.html",
        {"form": form, "rule": existing},
        status=400 if request.method == "POST" else 200,
    )


@page_rule(selectors.REQUEST)
@require_http_methods(["GET", "POST"])
def wallet_new(request: HttpRequest) -> HttpResponse:
    """Propose a treasury wallet (replacing the one for the same asset and purpose)."""
    document = selectors.current_document(selectors.current_config_version())
    form = WalletForm(request.POST or None, assets=document["assets"])
    if request.method == "POST" and form.is_valid():
        response = _file(
            request,
            form,
            lambda: services.config_wallet_request(
                actor=request.user, wallet=form.wallet(), **form.request_fields()
            ),
        )
        if response is not None:
            return response
    return render(
        request,
        "seedconfig/wallet_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
