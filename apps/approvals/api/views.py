"""Approvals API under /v1/approvals/: people only, never service tokens.

A token can never file or decide a two-person change through these endpoints, so every
rule has ``scope=None`` (a token gets 403 ``token_not_allowed``). Refusals answer with the
common error body and a stable code (``own_request``, ``person_behind`` with
``filed_by`` and ``people_behind``, ``otp_invalid``, ``otp_used``, ``otp_throttled``,
``payload_changed``, ``not_pending``, ``pending_request_exists``, ``frozen``,
``two_super_admins_needed``, …). An approval that ends ``expired``, ``tampered`` or
``conflict`` is recorded and answered with 409 and the request in ``change_request``.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from apps.accounts.api.permissions import ANY_VERIFIED, Rule
from apps.accounts.lockout import lockout_response, second_factor_failed
from apps.approvals import selectors, services
from apps.approvals.api.responses import refused_response
from apps.approvals.api.serializers import (
    ApproveSerializer,
    ChangeRequestCreateSerializer,
    ChangeRequestFilterSerializer,
    ChangeRequestSerializer,
    RejectSerializer,
)
from apps.approvals.models import ChangeRequest
from apps.approvals.services import ApprovalRefused
from apps.core.api.errors import error_body
from apps.core.api.idempotency import idempotent
from apps.core.api.query import query_params
from apps.core.api.schema import PEOPLE_ONLY_AUTH, error_responses, paginated, people_write_schema

TAGS = ["approvals"]
VIEW = Rule(perm=selectors.VIEW_PERMISSION, scope=None)
# Filing needs the kind's request permission; deciding needs the kind's approve
# permission. Both depend on the kind, so the services check them.
FILE = Rule(perm=ANY_VERIFIED, scope=None)
DECIDE = Rule(perm=selectors.VIEW_PERMISSION, scope=None)


def _outcome(request, change_request: ChangeRequest, ok_status=status.HTTP_200_OK) -> Response:
    data = ChangeRequestSerializer(change_request, context={"request": request}).data
    if change_request.status == ChangeRequest.Status.EXPIRED:
        body = error_body(
            "expired", _("This request expired before it was approved."), change_request=data
        )
        return Response(body, status=status.HTTP_409_CONFLICT)
    if change_request.status == ChangeRequest.Status.TAMPERED:
        body = error_body(
            "tampered",
            _(
                "The stored payload no longer matches the SHA-256 recorded when the request "
                "was filed; nothing was applied and the super admins were told."
            ),
            change_request=data,
        )
        return Response(body, status=status.HTTP_409_CONFLICT)
    if change_request.status == ChangeRequest.Status.CONFLICT:
        body = error_body(
            "conflict",
            _("The target changed since the request was made; nothing was applied."),
            change_request=data,
        )
        return Response(body, status=status.HTTP_409_CONFLICT)
    return Response(data, status=ok_status)


class ChangeRequestListView(GenericAPIView):
    """Change requests: list (any role) and file a new one (the kind's request permission)."""

    action_rules = {"get": VIEW, "post": FILE}
    serializer_class = ChangeRequestSerializer

    def get_queryset(self):
        filters = query_params(ChangeRequestFilterSerializer, self.request)
        return selectors.change_request_list(
            user=self.request.user,
            status=filters.get("status") or None,
            kind=filters.get("kind") or None,
            mine=bool(filters.get("mine")),
            tab="waiting" if filters.get("waiting_for_me") else None,
        )

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="List change requests",
        operation_id="approvals_list",
        parameters=[ChangeRequestFilterSerializer],
        responses={
            200: paginated(ChangeRequestSerializer, "ChangeRequestPage"),
            **error_responses(401, 403),
        },
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        data = ChangeRequestSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @people_write_schema(
        tags=TAGS,
        summary="File a change request",
        operation_id="approvals_create",
        request=ChangeRequestCreateSerializer,
        responses={201: ChangeRequestSerializer},
        errors=(400, 401, 403, 409, 422),
    )
    @idempotent
    def post(self, request):
        given = ChangeRequestCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            change_request = services.change_request_create(
                actor=request.user,
                kind=data["kind"],
                payload=data["payload"],
                reason=data["reason"],
                ticket=data["ticket"],
                freeze_exception_reason=data["freeze_exception_reason"],
            )
        except ApprovalRefused as exc:
            return refused_response(exc)
        return _outcome(request, change_request, ok_status=status.HTTP_201_CREATED)


class ChangeRequestDetailView(GenericAPIView):
    """One change request with its diff."""

    action_rules = {"get": VIEW}
    serializer_class = ChangeRequestSerializer

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="Read a change request",
        operation_id="approvals_retrieve",
        responses={200: ChangeRequestSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        change_request = get_object_or_404(selectors.change_request_list(user=request.user), pk=pk)
        context = {"request": request, "behind_now": True}
        return Response(ChangeRequestSerializer(change_request, context=context).data)


class ChangeRequestDetailAliasView(ChangeRequestDetailView):
    """``/v1/approvals/{id}`` answers as ``/v1/approvals/{id}/`` does (the schema lists
    the latter once)."""

    @extend_schema(exclude=True)
    def get(self, request, pk: int):
        return super().get(request, pk)


class _DecisionView(GenericAPIView):
    action_rules = {"post": DECIDE}
    serializer_class = ChangeRequestSerializer

    def _visible(self, request, pk: int) -> ChangeRequest:
        return get_object_or_404(selectors.change_request_list(user=request.user), pk=pk)


class ChangeRequestApproveView(_DecisionView):
    @people_write_schema(
        tags=TAGS,
        summary="Approve and apply a change request",
        operation_id="approvals_approve",
        description=(
            "Needs a fresh TOTP code (step-up): 400 `otp_invalid` for a wrong code, "
            "`otp_used` for a code already accepted, `otp_throttled` after several wrong "
            "ones. Nobody behind the request may approve it: 403 `own_request` for the "
            "requester, 403 `person_behind` (with `filed_by` and `people_behind`) for "
            "whoever created the filing token or service account or changed the token's "
            "scopes, or is named by the change. The approver also needs the approve "
            "permission of the kind (the freeze-exception permission for a freeze "
            "exception). Send `payload_sha256` as shown in the request: 409 "
            "`payload_changed` if it is not the request's. 409 `expired`/`conflict`/"
            "`tampered` (the stored payload no longer matches its SHA-256) when nothing "
            "was applied."
        ),
        request=ApproveSerializer,
        responses={200: ChangeRequestSerializer},
        errors=(400, 401, 403, 404, 409, 422),
    )
    @idempotent
    def post(self, request, pk: int):
        change_request = self._visible(request, pk)
        given = ApproveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            change_request = services.change_request_approve(
                actor=request.user,
                change_request_id=change_request.pk,
                otp_code=given.validated_data["otp_code"],
                comment=given.validated_data["comment"],
                payload_sha256=given.validated_data.get("payload_sha256"),
            )
        except ApprovalRefused as exc:
            if exc.code in services.OTP_REFUSAL_CODES and second_factor_failed(
                request, request.user, stage="step_up"
            ):
                return lockout_response(request)
            return refused_response(exc)
        return _outcome(request, change_request)


class ChangeRequestRejectView(_DecisionView):
    @people_write_schema(
        tags=TAGS,
        summary="Reject a change request",
        operation_id="approvals_reject",
        request=RejectSerializer,
        responses={200: ChangeRequestSerializer},
        errors=(400, 401, 403, 404, 409, 422),
    )
    @idempotent
    def post(self, request, pk: int):
        change_request = self._visible(request, pk)
        given = RejectSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            change_request = services.change_request_reject(
                actor=request.user,
                change_request_id=change_request.pk,
                comment=given.validated_data["comment"],
            )
        except ApprovalRefused as exc:
            return refused_response(exc)
        return _outcome(request, change_request)


class ChangeRequestCancelView(_DecisionView):
    @people_write_schema(
        tags=TAGS,
        summary="Cancel my pending change request",
        operation_id="approvals_cancel",
        request=None,
        responses={200: ChangeRequestSerializer},
        errors=(401, 403, 404, 409, 422),
    )
    @idempotent
    def post(self, request, pk: int):
        change_request = self._visible(request, pk)
        try:
            change_request = services.change_request_cancel(
                actor=request.user, change_request_id=change_request.pk
            )
        except ApprovalRefused as exc:
            return refused_response(exc)
        return _outcome(request, change_request)
