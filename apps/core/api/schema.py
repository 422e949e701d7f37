"""OpenAPI pieces every API view shares: the error body and the common error responses.

@extend_schema(responses={200: ThingSerializer, **error_responses(400, 403, 404)})
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Stable, for programs: e.g. validation_error."))
    message = serializers.CharField(help_text=_("For people."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Messages per input field; empty when the error is not about fields."),
    )
    request_id = serializers.CharField(
        allow_null=True, help_text=_("The X-Request-ID of the call, for support.")
    )


class ErrorSerializer(serializers.Serializer):
    """Every error the API returns has this shape."""

    error = ErrorDetailSerializer()


_DESCRIPTIONS = {
    400: _("Invalid input (code validation_error, malformed_request, invalid_idempotency_key)."),
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
