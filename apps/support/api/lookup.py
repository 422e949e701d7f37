"""Support lookups under /v1/support/ for people (MFA-verified sessions): search, one
customer, their transactions, one transaction, a diagnostic with its reply, and revealing
PII. Every call is a look at customer data and is logged in the access log (one row per
call). Email and names are masked unless revealed; amounts are null without
``support.view_amounts``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.permissions import Rule
from apps.core.api.errors import ApiError
from apps.core.api.query import query_params, text_filter, yes_no_filter
from apps.core.api.schema import error_responses
from apps.support import diagnostics
from apps.support.api import serializers as s
from apps.support.api.present import (
    claim_out,
    customer_ref,
    refund_out,
    round_out,
    transaction_out,
)
from apps.support.models import Language
from apps.support.privacy import grant_reveal, is_revealed, may_see_amounts
from apps.support.replies import render as render_reply
from apps.support.selectors.customers import (
    customer_get,
    customer_overview,
    customer_transactions,
    stuck_after,
    transaction_detail,
    transaction_get,
)
from apps.support.selectors.search import CursorInvalid, search
from apps.support.services.access import (
    CUSTOMER_VIEW,
    DIAGNOSTIC,
    SEARCH,
    TRANSACTION_VIEW,
    clean_ticket,
    lookup_record,
    pii_reveal,
)
from apps.support.views.diagnostics import reply_values

TAGS = ["support"]
PEOPLE = [{"cookieAuth": []}]
READ = Rule(perm="support.view_customer", scope=None)
REVEAL = Rule(perm="support.reveal_pii", scope=None)


class TicketQuerySerializer(serializers.Serializer):
    ticket = text_filter(_("The ticket you work on (kept in the access log)."), max_length=64)


class SearchQuerySerializer(TicketQuerySerializer):
    q = text_filter(
        _("What the customer sent: email, address, hash, id, handle or part of one."),
        max_length=300,
    )
    cursor = text_filter(_("next_cursor of the previous page."), max_length=500)
    all = yes_no_filter(_("Also run partial and prefix readings when an exact one matched."))


class TransactionPageQuerySerializer(TicketQuerySerializer):
    before_at = serializers.DateTimeField(
        required=False, help_text=_("From 'next': the time of the last row seen.")
    )
    before_id = serializers.IntegerField(
        required=False, min_value=1, help_text=_("From 'next': the id of the last row seen.")
    )

    def validate(self, attrs):
        if ("before_at" in attrs) != ("before_id" in attrs):
            raise serializers.ValidationError(
                {"before_at": [_("Give before_at (ISO time) and before_id from 'next'.")]}
            )
        return attrs


class DiagnosticQuerySerializer(TicketQuerySerializer):
    language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        help_text=_("The reply's language; default: the customer's."),
    )


PK = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _ticket(request, given: dict | None = None) -> str:
    if given is None:
        given = query_params(TicketQuerySerializer, request)
    try:
        return clean_ticket(given.get("ticket") or "")
    except ValidationError as error:
        raise exceptions.ValidationError(error.message_dict) from None


def _customer(request, pk):
    customer = customer_get(user=request.user, pk=pk)
    if customer is None:
        raise ApiError(_("No such customer."), code="not_found", status_code=404)
    return customer


class SearchView(APIView):
    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE,
        summary="Find customers and transactions from one box",
        operation_id="support_search",
        description=(
            "Recognises what was typed by decoding it (email; EVM address, checksum checked "
            "when mixed-case; EVM hash; Solana address and signature; Tron address and tx "
            "id; external id; handle; a number as round or customer number; partial email, "
            "handle and name from 3 characters; prefixes of addresses and hashes). Each "
            "result says what matched and why. Keyset pages: pass next_cursor back as "
            "cursor. Logged in the access log."
        ),
        parameters=[SearchQuerySerializer],
        responses={200: s.SearchAnswerSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request):
        given = query_params(SearchQuerySerializer, request)
        query = (given.get("q") or "").strip()
        ticket = _ticket(request, given)
        if not query:
            # Nothing typed yet: nothing to look up, and nothing looked at.
            return Response(
                {
                    "query": "",
                    "recognised": [],
                    "problems": [],
                    "results": [],
                    "next_cursor": None,
                    "partial_skipped": False,
                }
            )
        try:
            result = search(
                user=request.user,
                query=query,
                cursor=given.get("cursor") or None,
                include_partial=bool(given.get("all")),
            )
        except CursorInvalid as error:
            raise exceptions.ValidationError({"cursor": [str(error)]}) from None
        found = sorted({h.customer.external_id for h in result.hits if h.customer})[:5]
        lookup_record(
            actor=request.user,
            what=SEARCH,
            subject=("support.search", "-", f"{result.query} → {', '.join(found) or '∅'}"[:300]),
            ticket=ticket,
        )
        amounts = may_see_amounts(request.user)
        now = timezone.now()
        results = []
        for hit in result.hits:
            wallet = hit.wallet
            results.append(
                {
                    "type": hit.type,
                    "match": hit.match,
                    "why": hit.why,
                    "customer": customer_ref(
                        hit.customer,
                        revealed=bool(hit.customer) and is_revealed(request, hit.customer.pk),
                    ),
                    "transaction": transaction_out(
                        hit.transaction,
                        show_amounts=amounts,
                        stuck=hit.transaction.is_stuck(now, stuck_after()),
                    )
                    if hit.transaction
                    else None,
                    "wallet": {
                        "network": wallet.network,
                        "address": wallet.address,
                        "primary": wallet.is_primary,
                    }
                    if wallet
                    else None,
                    "round": round_out(hit.round),
                }
            )
        return Response(
            {
                "query": result.query,
                "recognised": [
                    {"kind": r.kind, "label": r.label, "note": r.note, "exact": r.exact}
                    for r in result.readings
                ],
                "problems": result.problems,
                "results": results,
                "next_cursor": result.next_cursor,
                "partial_skipped": result.partial_skipped,
            }
        )


class CustomerView(APIView):
    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE,
        summary="One customer: profile, wallets, recent transactions, claims, refunds, flags",
        operation_id="support_customer",
        parameters=[PK, TicketQuerySerializer],
        responses={200: s.CustomerDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, pk: int):
        customer = _customer(request, pk)
        ticket = _ticket(request)
        view = customer_overview(customer=customer)
        lookup_record(actor=request.user, what=CUSTOMER_VIEW, subject=customer, ticket=ticket)
        amounts = may_see_amounts(request.user)
        ref = customer_ref(customer, revealed=is_revealed(request, customer.pk))
        ref.update(
            {
                "language": customer.language,
                "kyc_status": customer.kyc_status,
                "kyc_rejection_reason": customer.kyc_rejection_reason,
                "bluecheck_status": customer.bluecheck_status,
                "bluecheck_active": customer.bluecheck_active(view.now),
                "bluecheck_expires_at": customer.bluecheck_expires_at,
                "referrer": customer.referrer_external_id,
                "active_referral_count": customer.active_referral_count,
                "banned": customer.banned,
            }
        )
        return Response(
            {
                "customer": ref,
                "wallets": [
                    {"network": w.network, "address": w.address, "primary": w.is_primary}
                    for w in view.wallets
                ],
                "transactions": [
                    transaction_out(row.tx, show_amounts=amounts, stuck=row.stuck)
                    for row in view.transactions
                ],
                "more_transactions": view.more_transactions,
                "claims": [claim_out(c, show_amounts=amounts) for c in view.claims],
                "refunds": [refund_out(r, show_amounts=amounts) for r in view.refunds],
                "flags": [
                    {
                        "flag": c.flag,
                        "context": c.context,
                        "allowed": c.allowed,
                        "reason": c.reason,
                        "state": c.state.as_dict() if c.state else None,
                    }
                    for c in view.checks
                ],
                "user_states": [
                    {"flag": st.flag.key, "state": st.state, "reason": st.reason}
                    for st in view.user_states
                ],
                "pending_requests": [
                    {"id": cr.pk, "summary": cr.summary} for cr in view.pending_requests
                ],
                "incidents": [
                    {
                        "number": incident.number,
                        "title": incident.title,
                        "severity": incident.severity.code,
                        "status": incident.status,
                        "affected_actions": list(incident.affected_actions or []),
                        "declared_at": incident.declared_at,
                    }
                    for incident in view.incidents
                ],
            }
        )


class CustomerTransactionsView(APIView):
    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE,
        summary="A customer's transactions, newest first (keyset pages)",
        operation_id="support_customer_transactions",
        parameters=[PK, TransactionPageQuerySerializer],
        responses={200: s.TransactionPageSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, pk: int):
        customer = _customer(request, pk)
        given = query_params(TransactionPageQuerySerializer, request)
        ticket = _ticket(request, given)
        before = None
        if "before_at" in given:
            before = (given["before_at"], given["before_id"])
        rows, following = customer_transactions(customer=customer, before=before)
        lookup_record(actor=request.user, what=CUSTOMER_VIEW, subject=customer, ticket=ticket)
        amounts, now = may_see_amounts(request.user), timezone.now()
        nxt = None
        if following:
            nxt = (
                f"{request.path}?before_at={following[0].isoformat().replace('+', '%2B')}"
                f"&before_id={following[1]}"
            )
        return Response(
            {
                "results": [
                    transaction_out(t, show_amounts=amounts, stuck=t.is_stuck(now, stuck_after()))
                    for t in rows
                ],
                "next": nxt,
            }
        )


class TransactionView(APIView):
    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE,
        summary="One transaction with its customer and round",
        operation_id="support_transaction",
        parameters=[PK, TicketQuerySerializer],
        responses={200: s.TransactionDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, pk: int):
        tx = transaction_get(user=request.user, pk=pk)
        if tx is None:
            raise ApiError(_("No such transaction."), code="not_found", status_code=404)
        ticket = _ticket(request)
        detail = transaction_detail(tx=tx)
        lookup_record(actor=request.user, what=TRANSACTION_VIEW, subject=tx, ticket=ticket)
        amounts = may_see_amounts(request.user)
        return Response(
            {
                "transaction": transaction_out(tx, show_amounts=amounts, stuck=detail.stuck),
                "customer": customer_ref(
                    tx.customer,
                    revealed=bool(tx.customer_id) and is_revealed(request, tx.customer_id),
                ),
                "round": round_out(detail.round),
                "same_hash": [transaction_out(t, show_amounts=amounts) for t in detail.same_hash],
            }
        )


class RevealView(APIView):
    action_rules = {"post": REVEAL}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE,
        summary="Reveal a customer's email and name (reason code and ticket; logged)",
        operation_id="support_customer_reveal",
        parameters=[PK],
        request=s.RevealSerializer,
        responses={200: s.RevealAnswerSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, pk: int):
        customer = _customer(request, pk)
        given = s.RevealSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            pii_reveal(
                actor=request.user,
                customer=customer,
                reason_code=given.validated_data["reason_code"],
                ticket=given.validated_data["ticket"],
            )
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        if hasattr(request, "session"):
            grant_reveal(request.session, customer.pk)
        return Response(
            {
                "email": customer.email,
                "display_name": customer.display_name,
                "revealed_minutes": settings.SUPPORT_REVEAL_MINUTES,
            }
        )


class DiagnosticView(APIView):
    action_rules = {"get": READ}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE,
        summary="Run a top case's checks for a customer and get the reply to send",
        operation_id="support_customer_diagnostic",
        parameters=[
            PK,
            OpenApiParameter(
                "case", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(diagnostics.DIAGNOSTICS)
            ),
            DiagnosticQuerySerializer,
        ],
        responses={200: s.DiagnosisSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, pk: int, case: str):
        diagnostic = diagnostics.get(case)
        customer = _customer(request, pk)
        if diagnostic is None:
            raise ApiError(
                _("Unknown case; use one of %(cases)s.")
                % {"cases": ", ".join(diagnostics.DIAGNOSTICS)},
                code="not_found",
                status_code=404,
            )
        given = query_params(DiagnosticQuerySerializer, request)
        language = given.get("language") or customer.language
        ticket = _ticket(request, given)
        diagnosis = diagnostic.run(customer_overview(customer=customer))
        revealed = is_revealed(request, customer.pk)
        reply = render_reply(
            diagnosis.reply_key, language, reply_values(diagnosis, revealed=revealed)
        )
        lookup_record(
            actor=request.user,
            what=DIAGNOSTIC,
            subject=customer,
            reason=f"diagnostic {case}",
            ticket=ticket,
        )
        return Response(
            {
                "case": diagnosis.case,
                "title": diagnosis.title,
                "checks": [
                    {"key": c.key, "label": c.label, "passed": c.passed, "evidence": c.evidence}
                    for c in diagnosis.checks
                ],
                "verdict": diagnosis.verdict,
                "summary": diagnosis.summary,
                "reply": {
                    "id": reply.reply.pk,
                    "key": reply.reply.key,
                    "language": reply.language,
                    "title": reply.reply.title,
                    "text": reply.text,
                    "missing": reply.missing,
                    "fell_back": reply.fell_back,
                }
                if reply.reply
                else None,
            },
            status=status.HTTP_200_OK,
        )
