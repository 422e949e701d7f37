"""Writes by people under /v1/support/: support actions on a customer and canned replies."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.permissions import Rule
from apps.approvals.api.responses import refused_response
from apps.approvals.services import ApprovalRefused
from apps.core.api.errors import ApiError
from apps.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.core.api.schema import error_responses, paginated
from apps.flags.models import StateSource
from apps.support.api import serializers as s
from apps.support.api.lookup import PEOPLE, PK, READ, TAGS, _customer
from apps.support.selectors import replies as reply_selectors
from apps.support.selectors.customers import customer_get
from apps.support.services import replies as reply_services
from apps.support.services.actions import ACTIONS, customer_action

ACT = Rule(perm="flags.set_user_scope", scope=None)
MANAGE = Rule(perm="support.manage_cannedreply", scope=None)


def _validation(error: ValidationError):
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.message_dict)
    return exceptions.ValidationError({"non_field_errors": error.messages})


class CustomerActionView(APIView):
    action_rules = {"post": ACT}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE,
        summary="Freeze claims, block posting, or turn them back on for one customer",
        operation_id="support_customer_action",
        description=(
            "User-scoped flag states through the flags services (same rules and audit). "
            "freeze_claims and block_posting apply at once (201); unblock_posting applies "
            "at once (201); unfreeze_claims files a change request a super admin approves "
            "(202)."
        ),
        parameters=[
            PK,
            OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(ACTIONS)),
            IDEMPOTENCY_KEY_PARAMETER,
        ],
        request=s.ActionSerializer,
        responses={
            201: s.ActionAnswerSerializer,
            202: s.ActionAnswerSerializer,
            **error_responses(400, 401, 403, 404, 409, 422),
        },
    )
    @idempotent
    def post(self, request, pk: int, action: str):
        customer = _customer(request, pk)
        if action not in ACTIONS:
            raise ApiError(_("Unknown action."), code="not_found", status_code=404)
        given = s.ActionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            change = customer_action(
                actor=request.user,
                customer=customer,
                action=action,
                reason=given.validated_data["reason"],
                ticket=given.validated_data["ticket"],
                source=StateSource.API,
            )
        except ValidationError as error:
            raise _validation(error) from None
        except PermissionDenied as error:
            raise exceptions.PermissionDenied(str(error) or None) from None
        except ApprovalRefused as error:
            return refused_response(error)
        flag = ACTIONS[action][0]
        if change.applied:
            return Response(
                {
                    "applied": True,
                    "flag": flag,
                    "state": change.state.state,
                    "change_request": None,
                    "message": _("%(flag)s is now %(state)s for %(customer)s.")
                    % {"flag": flag, "state": change.state.state, "customer": customer.external_id},
                },
                status=status.HTTP_201_CREATED,
            )
        return Response(
            {
                "applied": False,
                "flag": flag,
                "state": None,
                "change_request": change.change_request.pk,
                "message": _("Change request #%(id)s filed: a super admin must approve it.")
                % {"id": change.change_request.pk},
            },
            status=status.HTTP_202_ACCEPTED,
        )


def _reply_out(reply) -> dict:
    return {
        "id": reply.pk,
        "key": reply.key,
        "language": reply.language,
        "title": reply.title,
        "body": reply.body,
        "is_active": reply.is_active,
        "uses": getattr(reply, "use_count", None) or reply.uses.count(),
    }


class ReplyListView(GenericAPIView):
    action_rules = {"get": READ, "post": MANAGE}
    serializer_class = s.CannedReplySerializer

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE,
        summary="Canned replies with their use counts",
        operation_id="support_replies_list",
        responses={
            200: paginated(s.CannedReplySerializer, "CannedReplyPage"),
            **error_responses(401, 403),
        },
    )
    def get(self, request):
        rows = reply_selectors.reply_list(user=request.user)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([_reply_out(r) for r in page])

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE,
        summary="Add a canned reply (support leads)",
        operation_id="support_replies_create",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=s.CannedReplySerializer,
        responses={201: s.CannedReplySerializer, **error_responses(400, 401, 403, 422)},
    )
    @idempotent
    def post(self, request):
        given = s.CannedReplySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            reply = reply_services.reply_create(actor=request.user, **given.validated_data)
        except ValidationError as error:
            raise _validation(error) from None
        return Response(_reply_out(reply), status=status.HTTP_201_CREATED)


class ReplyDetailView(APIView):
    action_rules = {"patch": MANAGE}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE,
        summary="Change a canned reply (support leads)",
        operation_id="support_replies_update",
        parameters=[PK],
        request=s.CannedReplyUpdateSerializer,
        responses={200: s.CannedReplySerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request, pk: int):
        reply = reply_selectors.reply_get(user=request.user, pk=pk, perm=MANAGE.perm)
        if reply is None:
            raise ApiError(_("No such reply."), code="not_found", status_code=404)
        given = s.CannedReplyUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            reply = reply_services.reply_update(
                actor=request.user, reply=reply, **given.validated_data
            )
        except ValidationError as error:
            raise _validation(error) from None
        return Response(_reply_out(reply))


class ReplyUsedView(APIView):
    action_rules = {"post": READ}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE,
        summary="Count one use of a canned reply",
        operation_id="support_replies_used",
        parameters=[PK],
        request=s.ReplyUsedSerializer,
        responses={200: s.ReplyUsedAnswerSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, pk: int):
        reply = reply_selectors.reply_get(user=request.user, pk=pk)
        if reply is None:
            raise ApiError(_("No such reply."), code="not_found", status_code=404)
        given = s.ReplyUsedSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        customer = customer_get(user=request.user, pk=given.validated_data.get("customer"))
        reply_services.reply_use(actor=request.user, reply=reply, customer=customer)
        return Response({"reply": reply.pk, "uses": reply.uses.count()})
