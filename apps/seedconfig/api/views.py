"""Read-only configuration API for services (scope config:read) and people (view_config).

Every answer carries ``ETag: "<version>"``; a request whose ``If-None-Match`` names the
current version gets 304 with no body. RPC endpoints are added only with
``?include_secrets=1``, which needs the ``config:secrets`` scope (or, for a person, the
``seedconfig.view_config_secrets`` permission, which no role holds by default); every
such read is written to the access log. Changes are filed through ``/v1/approvals/``.
"""

from __future__ import annotations

from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.permissions import Rule
from apps.accounts.models import ApiToken
from apps.accounts.policy import caller_of, can, token_allows
from apps.core.api.errors import ApiError
from apps.core.api.pagination import StandardPagination
from apps.core.api.query import query_params, yes_no_filter
from apps.core.api.schema import error_responses, paginated
from apps.core.events import record_access
from apps.seedconfig import selectors
from apps.seedconfig.document import utc_text

TAGS = ["config"]
READ_RULE = Rule(perm=selectors.VIEW, scope=selectors.READ_SCOPE)
SECRETS_SCOPE = "config:secrets"


class SecretsQuerySerializer(serializers.Serializer):
    include_secrets = yes_no_filter(
        "true: add each network's RPC endpoints (needs the config:secrets scope)."
    )


class VersionQuerySerializer(serializers.Serializer):
    against = serializers.IntegerField(
        required=False, min_value=1, help_text="Diff from version M."
    )


INCLUDE_SECRETS = SecretsQuerySerializer
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description='The ETag you hold, e.g. "7"; 304 when it is still current.',
)


def _etag(version) -> str:
    return f'"{version.number if version is not None else 0}"'


def _etag_matches(request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags


def _wants_secrets(request) -> bool:
    return bool(query_params(SecretsQuerySerializer, request).get("include_secrets"))


def _check_secrets_allowed(request) -> None:
    token = request.auth if isinstance(request.auth, ApiToken) else None
    allowed = (
        token_allows(token, SECRETS_SCOPE)
        if token is not None
        else can(request.user, selectors.VIEW_SECRETS)
    )
    if not allowed:
        raise ApiError(
            _("Reading RPC endpoints needs the scope '%(scope)s'.") % {"scope": SECRETS_SCOPE},
            code="scope_missing",
            status_code=403,
        )


def _with_secrets(request, version, networks: list[dict]) -> list[dict]:
    endpoints = selectors.rpc_endpoints_by_network()
    if version is not None:
        record_access(
            subject=version,
            reason="API read of RPC endpoints (include_secrets)",
            what="config_secrets",
        )
    return [{**network, "rpc_endpoints": endpoints.get(network["key"], [])} for network in networks]


class _ConfigReadView(APIView):
    action_rules = {"get": READ_RULE}
    part: str | None = None

    def body(self, request, version) -> dict:
        document = selectors.current_document(version)
        networks = document["networks"]
        secrets = _wants_secrets(request)
        if secrets:
            networks = _with_secrets(request, version, networks)
        meta = {
            "version": version.number if version is not None else 0,
            "sha256": version.sha256 if version is not None else None,
        }
        if self.part is None:
            return {
                **meta,
                "created_at": utc_text(version.created_at) if version is not None else None,
                "config": {**document, "networks": networks},
            }
        return {**meta, self.part: networks if self.part == "networks" else document[self.part]}

    def get(self, request):
        if _wants_secrets(request) and self.part in (None, "networks"):
            _check_secrets_allowed(request)
        version = selectors.current_config_version()
        etag = _etag(version)
        if _etag_matches(request, etag):
            response = Response(status=304)
        else:
            response = Response(self.body(request, version))
        response["ETag"] = etag
        if _wants_secrets(request):
            patch_cache_control(response, no_store=True, private=True)
        else:
            patch_cache_control(response, no_cache=True, private=True)
        return response


_CONFIG_SCHEMA = {
    "tags": TAGS,
    "parameters": [INCLUDE_SECRETS, IF_NONE_MATCH],
    "responses": {200: OpenApiTypes.OBJECT, 304: None, **error_responses(401, 403)},
}


class ConfigView(_ConfigReadView):
    """The whole current configuration (snapshot) with its version and SHA-256."""

    @extend_schema(summary="Current configuration", **_CONFIG_SCHEMA)
    def get(self, request):
        return super().get(request)


def _part_view(part: str, summary: str) -> type[_ConfigReadView]:
    parameters = [INCLUDE_SECRETS, IF_NONE_MATCH] if part == "networks" else [IF_NONE_MATCH]

    class PartView(_ConfigReadView):
        __doc__ = summary

        @extend_schema(
            tags=TAGS,
            summary=summary,
            parameters=parameters,
            responses={200: OpenApiTypes.OBJECT, 304: None, **error_responses(401, 403)},
        )
        def get(self, request):
            return super().get(request)

    PartView.part = part
    PartView.__name__ = PartView.__qualname__ = f"Config{part.title().replace('_', '')}View"
    return PartView


NetworksView = _part_view("networks", "Networks")
AssetsView = _part_view("assets", "Assets")
TreasuryWalletsView = _part_view("treasury_wallets", "Treasury wallets")
FeeRulesView = _part_view("fee_rules", "Fee rules")
LimitsView = _part_view("limits", "Limits")


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    change_request_id = serializers.IntegerField(allow_null=True)
    changes = serializers.SerializerMethodField()

    def get_changes(self, version) -> int:
        return len(version.diff)


class VersionListView(APIView):
    """Configuration versions, newest first."""

    action_rules = {"get": READ_RULE}

    @extend_schema(
        tags=TAGS,
        summary="Configuration versions",
        operation_id="config_versions_list",
        responses={
            200: paginated(VersionSerializer, "ConfigVersionPage"),
            **error_responses(401, 403),
        },
    )
    def get(self, request):
        paginator = StandardPagination()
        page = paginator.paginate_queryset(
            selectors.version_list(user=caller_of(request)), request, self
        )
        return paginator.get_paginated_response(VersionSerializer(page, many=True).data)


class VersionDetailView(APIView):
    """One version: its snapshot and the diff from the previous one (or ``?against=M``)."""

    action_rules = {"get": READ_RULE}

    @extend_schema(
        tags=TAGS,
        summary="One configuration version and its diff",
        parameters=[VersionQuerySerializer],
        responses={200: OpenApiTypes.OBJECT, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request, number: int):
        reader = caller_of(request)
        version = selectors.version_get(user=reader, number=number)
        if version is None:
            raise ApiError(_("No such version."), code="not_found", status_code=404)
        against = query_params(VersionQuerySerializer, request).get("against")
        if against is not None:
            older = selectors.version_get(user=reader, number=against)
            if older is None:
                raise ApiError(
                    _("No such version to compare against."),
                    code="validation_error",
                    fields={"against": [_("No such version.")]},
                )
            diff, base = selectors.version_diff(older=older, newer=version), older.number
        else:
            older = selectors.previous_version(version)
            diff, base = version.diff, older.number if older is not None else 0
        data = dict(VersionSerializer(version).data)
        data.update({"diff_from": base, "diff": diff, "snapshot": version.document})
        response = Response(data)
        response["ETag"] = _etag(version)
        return response
