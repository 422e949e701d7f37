"""The search page: one box, every identifier, each hit saying what matched and why."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.core.rules import page_rule
from apps.support.forms.search import SearchForm
from apps.support.privacy import customer_pii, is_revealed
from apps.support.selectors.search import CursorInvalid, search
from apps.support.services.access import SEARCH, lookup_record
from apps.support.views.common import ticket_from


@page_rule("support.view_customer")
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    result, problem = None, ""
    ticket = ticket_from(request)
    if form.is_valid() and form.cleaned_data["q"].strip():
        try:
            result = search(
                user=request.user,
                query=form.cleaned_data["q"],
                cursor=form.cleaned_data["cursor"],
                include_partial=form.cleaned_data["all"],
            )
        except CursorInvalid as error:
            problem = str(error)
        else:
            found = sorted({h.customer.external_id for h in result.hits if h.customer})[:5]
            lookup_record(
                actor=request.user,
                what=SEARCH,
                subject=(
                    "support.search",
                    "-",
                    f"{result.query} → {', '.join(found) or '∅'}"[:300],
                ),
                ticket=ticket,
            )
    rows = []
    if result is not None:
        for hit in result.hits:
            pii = (
                customer_pii(hit.customer, revealed=is_revealed(request, hit.customer.pk))
                if hit.customer
                else None
            )
            rows.append({"hit": hit, "pii": pii})
    return render(
        request,
        "support/search.html",
        {"form": form, "result": result, "rows": rows, "problem": problem, "ticket": ticket},
        status=400 if problem else 200,
    )
