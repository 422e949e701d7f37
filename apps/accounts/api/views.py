"""Accounts API: who am I, service accounts and their tokens, login lockouts (people
only)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors
from apps.accounts.api.permissions import ANY_TOKEN, ANY_VERIFIED, Rule
from apps.accounts.api.serializers import (
    LockoutLiftedSerializer,
    LockoutLiftSerializer,
    LockoutSerializer,
    MeSerializer,
    ServiceAccountCreateSerializer,
    ServiceAccountSerializer,
    TokenCreatedSerializer,
    TokenCreateSerializer,
    TokenRevokeSerializer,
    TokenScopesSerializer,
    TokenSerializer,
)
from apps.accounts.models import ApiToken
from apps.accounts.policy import user_roles
from apps.accounts.services import tokens as token_services
from apps.accounts.services.lockouts import LIFT_PERMISSION, lockout_lift
from apps.core.api.errors import ApiError
from apps.core.api.idempotency import idempotent
from apps.core.api.schema import PEOPLE_ONLY_AUTH, error_responses, people_write_schema

MANAGE = token_services.MANAGE_PERMISSION
# People only: a token can never manage service accounts or tokens.
MANAGE_RULE = Rule(perm=MANAGE, scope=None)
TAGS = ["accounts"]


class MeView(APIView):
    """The caller: a verified person, or a service account's token."""

    action_rules = {"get": Rule(perm=ANY_VERIFIED, scope=ANY_TOKEN)}

    @extend_schema(
        tags=TAGS,
        summary="Who is calling",
        responses={200: MeSerializer, **error_responses(401, 403)},
    )
    def get(self, request):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        user = request.user
        if token is not None:
            data = {
                "kind": "service_account",
                "username": token.service_account.username,
                "roles": [],
                "language": None,
                "timezone": None,
                "token": {
                    "name": token.name,
                    "prefix": token.prefix,
                    "scopes": token.scopes,
                    "expires_at": token.expires_at,
                },
            }
        else:
            data = {
                "kind": "person",
                "username": user.username,
                "roles": user_roles(user),
                "language": user.language,
                "timezone": user.timezone,
                "token": None,
            }
        return Response(MeSerializer(data).data)


class ServiceAccountListView(GenericAPIView):
    """Service accounts (list, create). Verified super admins only."""

    action_rules = {"get": MANAGE_RULE, "post": MANAGE_RULE}
    serializer_class = ServiceAccountSerializer

    def get_queryset(self):
        return token_services.service_account_list(user=self.request.user)

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="List service accounts",
        responses={200: ServiceAccountSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ServiceAccountSerializer(page, many=True).data)

    @people_write_schema(
        tags=TAGS,
        summary="Create a service account",
        request=ServiceAccountCreateSerializer,
        responses={201: ServiceAccountSerializer},
        errors=(400, 401, 403, 422),
    )
    @idempotent
    def post(self, request):
        given = ServiceAccountCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        account = token_services.service_account_create(
            actor=request.user,
            username=given.validated_data["username"],
            description=given.validated_data.get("description", ""),
        )
        return Response(ServiceAccountSerializer(account).data, status=status.HTTP_201_CREATED)


class ServiceAccountTokenListView(GenericAPIView):
    """One service account's tokens (list, create). Verified super admins only."""

    action_rules = {"get": MANAGE_RULE, "post": MANAGE_RULE}
    serializer_class = TokenSerializer

    def _account(self, pk: int):
        accounts = token_services.service_account_list(user=self.request.user)
        return get_object_or_404(accounts, pk=pk)

    def get_queryset(self):
        return token_services.token_list(user=self.request.user)

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="List a service account's tokens",
        responses={200: TokenSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        account = self._account(pk)
        tokens = token_services.token_list(user=request.user, service_account=account)
        page = self.paginate_queryset(tokens)
        return self.get_paginated_response(TokenSerializer(page, many=True).data)

    @people_write_schema(
        tags=TAGS,
        summary="Create a token",
        description=(
            "Answers with the token's secret in the field `token`. It is shown only in "
            "this answer and cannot be retrieved again; only its SHA-256 is stored."
        ),
        request=TokenCreateSerializer,
        responses={201: TokenCreatedSerializer},
        errors=(400, 401, 403, 404, 422),
    )
    @idempotent(redact=("token",))
    def post(self, request, pk: int):
        account = self._account(pk)
        given = TokenCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        token, plaintext = token_services.token_create(
            actor=request.user,
            service_account=account,
            name=given.validated_data["name"],
            scopes=given.validated_data["scopes"],
            expires_at=given.validated_data.get("expires_at"),
            allowed_ips=given.validated_data.get("allowed_ips") or [],
        )
        token.token = plaintext
        response = Response(TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)
        add_never_cache_headers(response)
        return response


class TokenRevokeView(GenericAPIView):
    """Revoke a token at once. Verified super admins only."""

    action_rules = {"post": MANAGE_RULE}
    serializer_class = TokenSerializer

    def get_queryset(self):
        return token_services.token_list(user=self.request.user)

    @people_write_schema(
        tags=TAGS,
        summary="Revoke a token",
        description="A token already revoked answers 409 token_already_revoked.",
        request=TokenRevokeSerializer,
        responses={200: TokenSerializer},
        errors=(400, 401, 403, 404, 409, 422),
    )
    @idempotent
    def post(self, request, pk: int):
        token = get_object_or_404(self.get_queryset(), pk=pk)
        given = TokenRevokeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            token = token_services.token_revoke(
                actor=request.user, token=token, reason=given.validated_data["reason"]
            )
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == "already_revoked":
                raise ApiError(
                    _("This token is already revoked."),
                    code="token_already_revoked",
                    status_code=status.HTTP_409_CONFLICT,
                ) from exc
            raise
        return Response(TokenSerializer(token).data)


class TokenScopesView(GenericAPIView):
    """Change a token's scopes. Verified super admins only."""

    action_rules = {"post": MANAGE_RULE}
    serializer_class = TokenSerializer

    def get_queryset(self):
        return token_services.token_list(user=self.request.user)

    @people_write_schema(
        tags=TAGS,
        summary="Change a token's scopes",
        description=(
            "Replaces the token's scopes; a reason is required. The change is recorded with "
            "who made it: that person stands behind what the token files and may not "
            "approve its change requests. A revoked token, or the same scopes, answer 400."
        ),
        request=TokenScopesSerializer,
        responses={200: TokenSerializer},
        errors=(400, 401, 403, 404, 422),
    )
    @idempotent
    def post(self, request, pk: int):
        token = get_object_or_404(self.get_queryset(), pk=pk)
        given = TokenScopesSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        token = token_services.token_scopes_change(
            actor=request.user,
            token=token,
            scopes=given.validated_data["scopes"],
            reason=given.validated_data["reason"],
        )
        return Response(TokenSerializer(token).data)


class LockoutListView(APIView):
    """Accounts locked at an address now. Verified super admins only."""

    action_rules = {"get": Rule(perm=selectors.VIEW_LOCKOUTS, scope=None)}

    @extend_schema(
        tags=TAGS,
        auth=PEOPLE_ONLY_AUTH,
        summary="List current login lockouts",
        description=(
            "A lockout holds one username at one client address (after "
            "LOCKOUT_FAILURE_LIMIT failures); the owner elsewhere is not locked."
        ),
        responses={200: LockoutSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        lockouts = selectors.lockout_list(user=request.user)
        return Response(LockoutSerializer(lockouts, many=True).data)


class LockoutLiftView(APIView):
    """Lift one lockout now (audited). Verified super admins only."""

    action_rules = {"post": Rule(perm=LIFT_PERMISSION, scope=None)}

    @people_write_schema(
        tags=TAGS,
        summary="Lift a login lockout",
        description="A username and address that are not locked now answer 400.",
        request=LockoutLiftSerializer,
        responses={200: LockoutLiftedSerializer},
        errors=(400, 401, 403, 422),
    )
    @idempotent
    def post(self, request):
        given = LockoutLiftSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        record = lockout_lift(
            actor=request.user,
            username=given.validated_data["username"],
            ip_address=given.validated_data.get("ip_address"),
            reason=given.validated_data.get("reason", ""),
        )
        return Response(LockoutLiftedSerializer(record).data)
