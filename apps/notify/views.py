"""Portal pages: channels, the outbox with its dead letters, and my contact methods."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.policy import can
from apps.core.rules import ANY_VERIFIED, Rule, page_rule
from apps.core.web.forms import apply_validation_error
from apps.core.web.once import one_submission
from apps.core.web.pages import paginate
from apps.notify import selectors, services
from apps.notify.forms import (
    ChannelForm,
    ContactMethodForm,
    OutboxFilterForm,
)
from apps.notify.models import ContactMethod


def _error_message(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


# --- channels ----------------------------------------------------------------------------


@page_rule("notify.view_channel")
def channel_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.channel_list(user=request.user))
    return render(
        request,
        "notify/channel_list.html",
        {
            "page": page,
            "can_manage": can(request.user, "notify.manage_channel"),
            "can_view_outbox": can(request.user, "notify.view_outbox"),
        },
    )


@page_rule("notify.manage_channel")
@one_submission
def channel_create(request: HttpRequest) -> HttpResponse:
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.channel_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                config=form.config(),
                secret=form.cleaned_data["secret"],
                enabled=form.cleaned_data["enabled"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Channel %(name)s created.") % {"name": channel.name})
            return redirect("notify:channels")
    return render(request, "notify/channel_form.html", {"form": form, "channel": None})


@page_rule("notify.manage_channel")
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(selectors.channel_list(user=request.user), pk=pk)
    form = ChannelForm(request.POST or None, channel=channel)
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_update(
                actor=request.user,
                channel=channel,
                name=form.cleaned_data["name"],
                config=form.config(),
                secret=form.cleaned_data["secret"] or None,
                enabled=form.cleaned_data["enabled"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Channel %(name)s saved.") % {"name": channel.name})
            return redirect("notify:channels")
    return render(request, "notify/channel_form.html", {"form": form, "channel": channel})


@page_rule("notify.manage_channel")
@require_POST
def channel_disable(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(selectors.channel_list(user=request.user), pk=pk)
    services.channel_disable(actor=request.user, channel=channel)
    messages.success(request, _("Channel %(name)s disabled.") % {"name": channel.name})
    return redirect("notify:channels")


@page_rule("notify.manage_channel")
@require_POST
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(selectors.channel_list(user=request.user), pk=pk)
    try:
        services.channel_send_test(actor=request.user, channel=channel)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(
            request,
            _("A test message to %(name)s is queued; see the outbox for its delivery.")
            % {"name": channel.name},
        )
    return redirect("notify:channels")


# --- the outbox --------------------------------------------------------------------------


@page_rule("notify.view_outbox")
def outbox(request: HttpRequest) -> HttpResponse:
    filters = OutboxFilterForm(request.GET or None)
    status = filters.cleaned_data.get("status") if filters.is_valid() else None
    page = paginate(request, selectors.outbox_list(user=request.user, status=status))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notify/outbox.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "can_retry": can(request.user, "notify.manage_channel"),
        },
    )


@page_rule(("notify.view_outbox", "notify.manage_channel"))
@require_POST
def outbox_retry(request: HttpRequest, pk) -> HttpResponse:
    message = get_object_or_404(selectors.outbox_list(user=request.user), pk=pk)
    try:
        services.outbox_retry(actor=request.user, message=message)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("The message is queued again."))
    return redirect("notify:outbox")


# --- my contact methods ------------------------------------------------------------------


@page_rule(Rule(perm=ANY_VERIFIED))
@one_submission
def contact_methods(request: HttpRequest) -> HttpResponse:
    form = ContactMethodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_method_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Contact method added."))
            return redirect("notify:contact_methods")
    page = paginate(request, selectors.contact_method_list(user=request.user))
    return render(request, "notify/contact_methods.html", {"form": form, "page": page})


def _own_method(request: HttpRequest, pk: int) -> ContactMethod:
    return get_object_or_404(selectors.contact_method_list(user=request.user), pk=pk)


@page_rule(Rule(perm=ANY_VERIFIED))
@require_POST
def contact_method_delete(request: HttpRequest, pk: int) -> HttpResponse:
    method = _own_method(request, pk)
    services.contact_method_delete(actor=request.user, contact_method=method)
    messages.success(request, _("Contact method removed."))
    return redirect("notify:contact_methods")


@page_rule(Rule(perm=ANY_VERIFIED))
@require_POST
def contact_method_test(request: HttpRequest, pk: int) -> HttpResponse:
    method = _own_method(request, pk)
    services.contact_method_send_test(actor=request.user, contact_method=method)
    messages.success(
        request,
        _("A test message is queued; the method shows as verified once it is delivered."),
    )
    return redirect("notify:contact_methods")
