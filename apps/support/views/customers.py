"""The customer page, its full transaction list, revealing PII and the support actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.approvals.services import ApprovalRefused
from apps.core.rules import page_rule
from apps.core.web.forms import apply_validation_error
from apps.flags import selectors as flag_selectors
from apps.support import diagnostics
from apps.support.forms.customers import ActionForm, RevealForm
from apps.support.privacy import (
    customer_pii,
    grant_reveal,
    is_revealed,
    may_reveal,
    may_see_amounts,
)
from apps.support.selectors.customers import (
    asset_decimals,
    customer_get,
    customer_overview,
    customer_transactions,
    tx_rows,
)
from apps.support.services.access import CUSTOMER_VIEW, lookup_record, pii_reveal
from apps.support.services.actions import ACTIONS, available_actions, customer_action
from apps.support.views.common import ticket_from


def _customer_or_404(request, pk):
    customer = customer_get(user=request.user, pk=pk)
    if customer is None:
        raise Http404
    return customer


def customer_context(request, customer, overview) -> dict:
    flags_by_key = flag_selectors.flags_by_key(keys=["claim", "feed.post"])
    actions = available_actions(request.user, flags_by_key)
    revealed = is_revealed(request, customer.pk)
    return {
        "customer": customer,
        "view": overview,
        "pii": customer_pii(customer, revealed=revealed),
        "may_reveal": may_reveal(request.user) and not revealed,
        "show_amounts": may_see_amounts(request.user),
        "decimals": overview.decimals,
        "ticket": ticket_from(request),
        "diagnostics": diagnostics.DIAGNOSTICS.values(),
        "actions": [(name, ACTIONS[name][2]) for name in actions],
        "action_form": ActionForm(initial={"ticket": ticket_from(request)}),
        "reveal_form": RevealForm(initial={"ticket": ticket_from(request)}),
    }


@page_rule("support.view_customer")
def customer_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about one customer on one page; the view is logged."""
    customer = _customer_or_404(request, pk)
    overview = customer_overview(customer=customer)
    lookup_record(
        actor=request.user, what=CUSTOMER_VIEW, subject=customer, ticket=ticket_from(request)
    )
    return render(request, "support/customer.html", customer_context(request, customer, overview))


@page_rule("support.view_customer")
def customer_transactions_page(request: HttpRequest, pk: int) -> HttpResponse:
    """All of a customer's transactions, newest first, a keyset page at a time."""
    customer = _customer_or_404(request, pk)
    before = None
    moment = parse_datetime(request.GET.get("before_at", "") or "")
    try:
        before_id = int(request.GET.get("before_id", ""))
    except ValueError:
        before_id = None
    if moment is not None and before_id is not None:
        before = (moment, before_id)
    rows, following = customer_transactions(customer=customer, before=before)
    lookup_record(
        actor=request.user, what=CUSTOMER_VIEW, subject=customer, ticket=ticket_from(request)
    )
    return render(
        request,
        "support/transactions.html",
        {
            "customer": customer,
            "rows": tx_rows(rows, timezone.now()),
            "following": following,
            "show_amounts": may_see_amounts(request.user),
            "decimals": asset_decimals(),
            "ticket": ticket_from(request),
        },
    )


@page_rule("support.reveal_pii")
def customer_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Reveal a customer's email and names: a reason code and a ticket, logged."""
    customer = _customer_or_404(request, pk)
    form = RevealForm(request.POST or None, initial={"ticket": ticket_from(request)})
    if request.method == "POST" and form.is_valid():
        try:
            pii_reveal(
                actor=request.user,
                customer=customer,
                reason_code=form.cleaned_data["reason_code"],
                ticket=form.cleaned_data["ticket"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            grant_reveal(request.session, customer.pk)
            messages.success(request, _("Revealed for you; this is in the access log."))
            url = reverse("support:customer", args=[customer.pk])
            return redirect(f"{url}?ticket={form.cleaned_data['ticket']}")
    return render(
        request,
        "support/reveal.html",
        {"customer": customer, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@page_rule("flags.set_user_scope")
def customer_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Freeze claims, block posting, or turn either back on, for this customer."""
    customer = _customer_or_404(request, pk)
    if action not in ACTIONS:
        raise Http404
    form = ActionForm(request.POST)
    url = reverse("support:customer", args=[customer.pk])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(url)
    try:
        change = customer_action(
            actor=request.user,
            customer=customer,
            action=action,
            reason=form.cleaned_data["reason"],
            ticket=form.cleaned_data["ticket"],
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not do this."))
    except ApprovalRefused as error:
        messages.error(request, error.message)
    else:
        if change.applied:
            messages.success(
                request,
                _("%(flag)s is now %(state)s for %(customer)s.")
                % {
                    "flag": change.state.flag.key,
                    "state": change.state.get_state_display(),
                    "customer": customer.external_id,
                },
            )
        else:
            messages.warning(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _(
                        "Requested: a super admin must approve turning it back on. Nothing "
                        "has changed yet."
                    ),
                    reverse("approvals:detail", args=[change.change_request.pk]),
                    _("Change request #%(id)s") % {"id": change.change_request.pk},
                ),
            )
    return redirect(f"{url}?ticket={form.cleaned_data['ticket']}")
