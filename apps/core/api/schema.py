"""OpenAPI pieces every API view shares: the error body and the common error responses.

@extend_schema(responses={200: ThingSerializer, **error_responses(400, 403, 404)})

and the schema of an endpoint only people call (a token gets 403 there), for example::

    @people_write_schema(
        tags=TAGS,
        summary="Create a channel",
        request=ChannelCreateSerializer,
        responses={201: ChannelSerializer},
        errors=(400, 401, 403, 422),
    )
    @idempotent
    def post(self, request): ...
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from apps.core.api.idempotency import IDEMPOTENCY_KEY_PARAMETER


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Stable, for programs: e.g. validation_error."))
    message = serializers.CharField(help_text=_("For people."))
    fields = serializers.DictField(
        child=serializers.JSONField(),
        help_text=_(
            "Messages per input field, empty when the error is not about fields. Each value "
            "is a list of messages, or for a nested input an object of the same shape keyed "
            'by field name or list index (e.g. {"steps": {"0": {"kind": ["..."]}}}); a field '
            'deep in a JSON body may also be named by its dotted path ("payload.name").'
        ),
    )
    request_id = serializers.CharField(
        allow_null=True, help_text=_("The X-Request-ID of the call, for support.")
    )


class ErrorSerializer(serializers.Serializer):
    """Every error the API returns has this shape."""

    error = ErrorDetailSerializer()


_DESCRIPTIONS = {
    400: _(
        "Invalid input (code validation_error, malformed_request, invalid_idempotency_key): "
        "a field out of bounds, a NUL character, a page number below 1."
    ),
    401: _("Not authenticated, or the token is unknown, revoked or expired."),
    403: _("Not allowed: missing permission or scope, MFA not passed, address not allowed."),
    404: _("No such object."),
    405: _("Method not allowed."),
    409: _("Conflict with the current state."),
    422: _("The Idempotency-Key was used with another request (idempotency_key_reused)."),
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {
        status: OpenApiResponse(response=ErrorSerializer, description=str(_DESCRIPTIONS[status]))
        for status in statuses
    }


# The security requirement of endpoints only people call: the session cookie, no token.
PEOPLE_ONLY_AUTH = [{"cookieAuth": []}]


def people_write_schema(
    *,
    tags: list[str],
    summary: str,
    responses: dict,
    errors: tuple[int, ...],
    request=None,
    description: str | None = None,
    operation_id: str | None = None,
    idempotency_key: bool = True,
):
    """``@extend_schema`` of a write only people make: session auth, the Idempotency-Key
    header (the method is ``@idempotent``; ``idempotency_key=False`` for one that is not),
    the success ``responses`` and the common error answers for ``errors``."""
    extra = {}
    if description is not None:
        extra["description"] = description
    if operation_id is not None:
        extra["operation_id"] = operation_id
    if idempotency_key:
        extra["parameters"] = [IDEMPOTENCY_KEY_PARAMETER]
    if request is not None:
        extra["request"] = request
    return extend_schema(
        tags=tags,
        auth=PEOPLE_ONLY_AUTH,
        summary=summary,
        responses={**responses, **error_responses(*errors)},
        **extra,
    )


PAGE_ENVELOPE = {"count", "next", "previous", "results"}
NOT_FOUND_PAGE = _("No such object, or a page after the last one.")
URI_TOO_LONG = _("The request line is longer than the web server accepts (no JSON body).")


def paginated(serializer_class, name: str):
    """The page envelope of StandardPagination around ``serializer_class``."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


class _JSONErrorsMixin:
    """Refusals answer in the API's JSON error shape, not in the view's own format
    (YAML for the document, HTML for the UI). Who may read is SERVE_PERMISSIONS."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class SchemaView(_JSONErrorsMixin, SpectacularAPIView):
    """The OpenAPI document at /v1/schema/."""


class DocsView(_JSONErrorsMixin, SpectacularSwaggerSplitView):
    """The Swagger UI at /v1/docs/ (and its init script at ?script=)."""


def _is_page(schema: dict, components: dict) -> bool:
    ref = schema.get("$ref")
    if ref:
        schema = components.get(ref.rsplit("/", 1)[-1], {})
    return PAGE_ENVELOPE <= set(schema.get("properties", {}))


def _error_response(status: int, description: str) -> dict:
    return {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        "description": description,
    }


def postprocess_common_answers(result, generator, request, public):
    """drf-spectacular hook: what every operation may answer, documented once.

    - Any operation that takes input (a path or query parameter, a body) may answer 400:
      the input guard refuses NUL characters everywhere, the fields their bounds.
    - Every list answering the page envelope takes ``page`` and ``page_size`` and answers
      404 for a page after the last (``apps.core.api.pagination``); an operation with a
      path parameter answers 404 for an unknown object.
    - Any operation with parameters may meet 414 from the web server in front of it.
    """
    from apps.core.api.pagination import page_parameters

    components = result.get("components", {}).get("schemas", {})
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            parameters = operation.setdefault("parameters", [])
            ok = responses.get("200", {}).get("content", {}).get("application/json", {})
            if method == "get" and _is_page(ok.get("schema", {}), components):
                names = {(p.get("in"), p.get("name")) for p in parameters}
                for parameter in page_parameters():
                    if ("query", parameter["name"]) not in names:
                        parameters.append(parameter)
                if "404" not in responses:
                    responses["404"] = _error_response(404, str(NOT_FOUND_PAGE))
            if any(p.get("in") == "path" for p in parameters) and "404" not in responses:
                responses["404"] = _error_response(404, str(_DESCRIPTIONS[404]))
            takes_input = bool(parameters) or "requestBody" in operation
            if parameters and "414" not in responses:
                # Answered by the web server itself (gunicorn, a proxy), not the API.
                responses["414"] = {"description": str(URI_TOO_LONG)}
            if not parameters:
                del operation["parameters"]
            if takes_input and "400" not in responses:
                responses["400"] = _error_response(400, str(_DESCRIPTIONS[400]))
            operation["responses"] = dict(sorted(responses.items()))
    return result
