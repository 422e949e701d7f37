"""Canned replies: everyone who looks customers up reads them; support leads edit them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.policy import can
from apps.core.rules import page_rule
from apps.core.web.forms import apply_validation_error
from apps.support.forms.replies import ReplyForm
from apps.support.replies import PLACEHOLDERS
from apps.support.selectors import replies as reply_selectors
from apps.support.selectors.customers import customer_get
from apps.support.services import replies as services

MANAGE = "support.manage_cannedreply"


@page_rule("support.view_customer")
def reply_list(request: HttpRequest) -> HttpResponse:
    replies = reply_selectors.reply_list(user=request.user)
    return render(
        request,
        "support/replies.html",
        {"replies": replies, "may_manage": can(request.user, MANAGE)},
    )


@page_rule(MANAGE)
def reply_create(request: HttpRequest) -> HttpResponse:
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Reply added."))
            return redirect("support:replies")
    return render(
        request,
        "support/reply_form.html",
        {"form": form, "reply": None, "placeholders": PLACEHOLDERS},
        status=400 if request.method == "POST" else 200,
    )


@page_rule(MANAGE)
def reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reply = reply_selectors.reply_get(user=request.user, pk=pk, perm=MANAGE)
    if reply is None:
        raise Http404
    initial = {
        "key": reply.key,
        "language": reply.language,
        "title": reply.title,
        "body": reply.body,
        "is_active": reply.is_active,
    }
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data["key"], data["language"] = reply.key, reply.language
    form = ReplyForm(data, initial=initial)
    form.fields["key"].disabled = form.fields["language"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_update(
                actor=request.user,
                reply=reply,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Reply saved."))
            return redirect("support:replies")
    return render(
        request,
        "support/reply_form.html",
        {"form": form, "reply": reply, "placeholders": PLACEHOLDERS},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@page_rule("support.view_customer")
def reply_used(request: HttpRequest, pk: int) -> HttpResponse:
    """Count one use of a reply (the copy button calls this)."""
    reply = reply_selectors.reply_get(user=request.user, pk=pk)
    if reply is None:
        raise Http404
    customer = customer_get(user=request.user, pk=request.POST.get("customer"))
    services.reply_use(actor=request.user, reply=reply, customer=customer)
    return JsonResponse({"reply": reply.pk, "uses": reply.uses.count()})
