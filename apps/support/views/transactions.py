"""One transaction: status, age, its customer, round, claims and refunds."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from apps.core.rules import page_rule
from apps.support.privacy import customer_pii, is_revealed, may_see_amounts
from apps.support.selectors.customers import transaction_detail, transaction_get
from apps.support.services.access import TRANSACTION_VIEW, lookup_record
from apps.support.views.common import ticket_from


@page_rule("support.view_customer")
def transaction_page(request: HttpRequest, pk: int) -> HttpResponse:
    tx = transaction_get(user=request.user, pk=pk)
    if tx is None:
        raise Http404
    detail = transaction_detail(tx=tx)
    lookup_record(
        actor=request.user, what=TRANSACTION_VIEW, subject=tx, ticket=ticket_from(request)
    )
    pii = (
        customer_pii(tx.customer, revealed=is_revealed(request, tx.customer_id))
        if tx.customer_id
        else None
    )
    return render(
        request,
        "support/transaction.html",
        {
            "detail": detail,
            "tx": tx,
            "pii": pii,
            "show_amounts": may_see_amounts(request.user),
            "decimals": detail.decimals,
            "ticket": ticket_from(request),
        },
    )
