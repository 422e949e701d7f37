"""Portal pages: the approvals inbox, a request with its diff and decision forms, freeze
windows, and filing a protected role change."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.lockout import lockout_response, second_factor_failed
from apps.accounts.policy import can
from apps.approvals import behind, freeze, registry, rules, selectors, services
from apps.approvals.forms import ApproveForm, FreezeWindowForm, RejectForm, RoleChangeForm
from apps.approvals.handlers.roles import KIND as ROLE_CHANGE_KIND
from apps.approvals.models import ChangeRequest
from apps.approvals.services import ApprovalRefused
from apps.core.rules import Rule, page_rule
from apps.core.web.forms import apply_validation_error
from apps.core.web.once import one_submission

PAGE_SIZE = 25
VIEW = selectors.VIEW_PERMISSION


@page_rule(Rule(perm=VIEW))
def inbox(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab") or "waiting"
    if tab not in selectors.TABS:
        tab = "waiting"
    kind = request.GET.get("kind") or None
    status = request.GET.get("status") or None
    if status not in ChangeRequest.Status.values:
        status = None
    queryset = selectors.change_request_list(user=request.user, tab=tab, kind=kind, status=status)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for change_request in page:
        change_request.filed_by = behind.describe(change_request)["filed_by"]
    return render(
        request,
        "approvals/inbox.html",
        {
            "tab": tab,
            "tabs": [
                ("waiting", _("Waiting for me")),
                ("mine", _("Mine")),
                ("history", _("History")),
            ],
            "page": page,
            "kind": kind or "",
            "status": status or "",
            "kinds": registry.registered_kinds(),
            "statuses": ChangeRequest.Status.choices,
            "waiting_count": selectors.waiting_for_count(request.user),
            "can_request_roles": can(request.user, "accounts.assign_role"),
        },
    )


RESULT_LABELS = {
    "base_version": gettext_lazy("version the request was made against"),
    "current_version": gettext_lazy("version when it was approved"),
    "stored_sha256": gettext_lazy("stored payload SHA-256"),
    "payload_sha256": gettext_lazy("SHA-256 of the stored payload"),
    "filed_sha256": gettext_lazy("payload SHA-256 when it was filed"),
}


def result_rows(result) -> list[tuple[str, str]]:
    """An approval result as (label, text) rows for people, never a raw Python dict."""
    if result in (None, "", {}, []):
        return []
    if not isinstance(result, dict):
        return [("", json.dumps(result, sort_keys=True, ensure_ascii=False))]
    rows = []
    for key in sorted(result):
        value = result[key]
        if value is None:
            text = "—"
        elif isinstance(value, dict | list):
            text = json.dumps(value, sort_keys=True, ensure_ascii=False)
        else:
            text = str(value)
        rows.append((str(RESULT_LABELS.get(key, key.replace("_", " "))), text))
    return rows


def _detail_context(request, change_request: ChangeRequest, **forms) -> dict:
    try:
        handler = registry.get_handler(change_request.kind)
        shown_payload = handler.public_payload(change_request.payload)
    except KeyError:
        handler, shown_payload = None, {}
    user = request.user
    pending = change_request.is_pending
    shown = behind.describe(
        change_request, behind.people_behind_now(change_request) if pending else None
    )
    blocker = rules.decision_blocker(user, change_request) if pending else None
    return {
        "cr": change_request,
        "handler": handler,
        "payload_json": json.dumps(shown_payload, indent=2, sort_keys=True, ensure_ascii=False),
        "can_decide": pending and blocker is None,
        "blocker": blocker,
        "filed_by": shown["filed_by"],
        "people_behind": shown["people"],
        "result_rows": result_rows(change_request.apply_result),
        "is_requester": change_request.requester_id == user.pk,
        "approve_form": forms.get("approve_form")
        or ApproveForm(initial={"payload_sha256": change_request.payload_sha256}),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "active_freeze": freeze.active_freeze_for(change_request.kind) if pending else None,
    }


def _get(request, pk) -> ChangeRequest:
    change_request = selectors.change_request_get(user=request.user, pk=pk)
    if change_request is None:
        raise Http404
    return change_request


@page_rule(Rule(perm=VIEW))
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    change_request = _get(request, pk)
    return render(request, "approvals/detail.html", _detail_context(request, change_request))


def _outcome_message(request, change_request: ChangeRequest) -> None:
    status = change_request.status
    if status == ChangeRequest.Status.APPLIED:
        messages.success(request, _("Approved and applied."))
    elif status == ChangeRequest.Status.EXPIRED:
        messages.error(request, _("This request had expired; nothing was applied."))
    elif status == ChangeRequest.Status.TAMPERED:
        messages.error(
            request,
            _(
                "The stored payload no longer matches the SHA-256 recorded when this request "
                "was filed, so nothing was applied. The request ended as tampered and the "
                "super admins were told."
            ),
        )
    elif status == ChangeRequest.Status.CONFLICT:
        messages.error(
            request,
            _(
                "The target changed since this request was made; nothing was applied. "
                "File the change again against the current version."
            ),
        )
    elif status == ChangeRequest.Status.REJECTED:
        messages.success(request, _("Rejected."))
    elif status == ChangeRequest.Status.CANCELLED:
        messages.success(request, _("Cancelled."))


@page_rule(Rule(perm=VIEW))
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    change_request = _get(request, pk)
    form = ApproveForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            change_request = services.change_request_approve(
                actor=request.user,
                change_request_id=change_request.pk,
                otp_code=form.cleaned_data["otp_code"],
                comment=form.cleaned_data["comment"],
                payload_sha256=form.cleaned_data["payload_sha256"],
            )
        except ApprovalRefused as exc:
            if exc.code in services.OTP_REFUSAL_CODES and second_factor_failed(
                request, request.user, stage="step_up"
            ):
                return lockout_response(request)
            status = exc.status
            if exc.code == "payload_changed":
                # The page now shows the request as it is, with a form for exactly that.
                messages.error(request, exc.message)
                change_request.refresh_from_db()
                form = ApproveForm(initial={"payload_sha256": change_request.payload_sha256})
            else:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            _outcome_message(request, change_request)
            return redirect("approvals:detail", pk=change_request.pk)
    change_request.refresh_from_db()
    context = _detail_context(request, change_request, approve_form=form)
    return render(request, "approvals/detail.html", context, status=status)


@page_rule(Rule(perm=VIEW))
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    change_request = _get(request, pk)
    form = RejectForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            change_request = services.change_request_reject(
                actor=request.user,
                change_request_id=change_request.pk,
                comment=form.cleaned_data["comment"],
            )
        except ApprovalRefused as exc:
            form.add_error(None, exc.message)
            status = exc.status
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            _outcome_message(request, change_request)
            return redirect("approvals:detail", pk=change_request.pk)
    change_request.refresh_from_db()
    context = _detail_context(request, change_request, reject_form=form)
    return render(request, "approvals/detail.html", context, status=status)


@page_rule(Rule(perm=VIEW))
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    change_request = _get(request, pk)
    try:
        change_request = services.change_request_cancel(
            actor=request.user, change_request_id=change_request.pk
        )
    except ApprovalRefused as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
    else:
        _outcome_message(request, change_request)
    return redirect("approvals:detail", pk=change_request.pk)


@page_rule(Rule(perm="accounts.assign_role"))
@require_http_methods(["GET", "POST"])
def role_change_new(request: HttpRequest) -> HttpResponse:
    """File a grant or removal of super_admin/finance (applied after a second approval)."""
    form = RoleChangeForm(request.POST or None, initial=request.GET.dict() or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change_request = services.change_request_create(
                actor=request.user,
                kind=ROLE_CHANGE_KIND,
                payload={"user": data["user"].pk, "role": data["role"], "action": data["action"]},
                reason=data["reason"],
                ticket=data["ticket"],
            )
        except ApprovalRefused as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if change_request.bootstrap:
                messages.success(
                    request,
                    _(
                        "Applied at once: this is the second super admin. From now on protected "
                        "role changes need a second person."
                    ),
                )
            else:
                messages.success(request, _("Request filed; a second super admin must approve it."))
            return redirect("approvals:detail", pk=change_request.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "approvals/role_change_new.html", {"form": form}, status=status)


@page_rule(get=Rule(perm=VIEW), post=Rule(perm=(VIEW, freeze.MANAGE_FREEZE)))
@require_http_methods(["GET", "POST"])
@one_submission
def freeze_windows(request: HttpRequest) -> HttpResponse:
    can_manage = can(request.user, freeze.MANAGE_FREEZE)
    kinds = registry.registered_kinds()
    form = FreezeWindowForm(request.POST or None, kinds=kinds) if can_manage else None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                window = freeze.freeze_window_create(
                    actor=request.user,
                    name=data["name"],
                    kind=data["kind"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    frozen_kinds=data["frozen_kinds"],
                    reason=data["reason"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request, _("Freeze window '%(name)s' saved.") % {"name": window.name}
                )
                return redirect("approvals:freeze_windows")
    windows = freeze.freeze_window_list(user=request.user)
    page = Paginator(windows, PAGE_SIZE).get_page(request.GET.get("page"))
    active_ids = set(freeze.active_freeze_windows().values_list("pk", flat=True))
    now = timezone.now()
    endable_ids = {w.pk for w in page if w.ended_at is None and w.ends_at > now}
    return render(
        request,
        "approvals/freeze_windows.html",
        {
            "form": form,
            "page": page,
            "can_manage": can_manage,
            "active_ids": active_ids,
            "endable_ids": endable_ids,
        },
        status=400 if request.method == "POST" else 200,
    )


@page_rule(Rule(perm=freeze.MANAGE_FREEZE))
@require_POST
def freeze_window_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        window = freeze.freeze_window_end(actor=request.user, freeze_window_id=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Freeze window '%(name)s' ended.") % {"name": window.name})
    return redirect("approvals:freeze_windows")
