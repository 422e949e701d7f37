"""Running a top case's checks for a customer, with the canned reply to send."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from apps.core.rules import page_rule
from apps.support import diagnostics
from apps.support.models import Language
from apps.support.privacy import is_revealed
from apps.support.replies import render as render_reply
from apps.support.selectors.customers import customer_get, customer_overview
from apps.support.services.access import DIAGNOSTIC, lookup_record
from apps.support.views.common import ticket_from


def reply_values(diagnosis, *, revealed: bool) -> dict:
    values = dict(diagnosis.values)
    if not revealed:
        # The customer's name is personal data: only after a reveal.
        values.pop("customer_name", None)
    return values


@page_rule("support.view_customer")
def diagnose_page(request: HttpRequest, pk: int, case: str) -> HttpResponse:
    diagnostic = diagnostics.get(case)
    customer = customer_get(user=request.user, pk=pk)
    if diagnostic is None or customer is None:
        raise Http404
    language = request.GET.get("language") or customer.language
    if language not in Language.values:
        language = customer.language
    overview = customer_overview(customer=customer)
    diagnosis = diagnostic.run(overview)
    revealed = is_revealed(request, customer.pk)
    reply = render_reply(diagnosis.reply_key, language, reply_values(diagnosis, revealed=revealed))
    ticket = ticket_from(request)
    lookup_record(
        actor=request.user,
        what=DIAGNOSTIC,
        subject=customer,
        reason=f"diagnostic {case}",
        ticket=ticket,
    )
    return render(
        request,
        "support/diagnose.html",
        {
            "customer": customer,
            "diagnostic": diagnostic,
            "diagnosis": diagnosis,
            "reply": reply,
            "language": language,
            "languages": Language.choices,
            "ticket": ticket,
        },
    )
