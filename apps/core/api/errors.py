"""One JSON error shape for the whole API.

    {"error": {"code": "validation_error", "message": "...",
               "fields": {"reason": ["This field is required."]}, "request_id": "..."}}

``code`` is stable and meant for programs; ``message`` is for people.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.context import get_request_id


class ApiError(exceptions.APIException):
    """An error with a stable code, chosen by the view or service that raises it."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail=message, code=code or self.default_code)
        if status_code is not None:
            self.status_code = status_code
        self.error_code = code or self.default_code
        self.fields = fields or {}
        self.extra = extra or {}


_CODE_BY_CLASS: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.ValidationError, "validation_error"),
    (exceptions.ParseError, "malformed_request"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
]


def error_body(code: str, message: str, fields: dict | None = None, **extra: Any) -> dict:
    body = {
        "code": code,
        "message": message,
        "fields": fields or {},
        "request_id": get_request_id(),
    }
    body.update(extra)
    return {"error": body}


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) if isinstance(item, dict | list) else str(item) for item in detail]
    return [str(detail)]


def _code_for(exc: exceptions.APIException) -> str:
    if isinstance(exc, ApiError):
        return exc.error_code
    codes = exc.get_codes()
    # A custom code given by the raiser (e.g. "token_expired") wins over the class default.
    if isinstance(codes, str) and codes not in {
        "invalid",
        "error",
        "not_authenticated",
        "authentication_failed",
        "permission_denied",
        "not_found",
        "parse_error",
        "method_not_allowed",
    }:
        return codes
    for klass, code in _CODE_BY_CLASS:
        if isinstance(exc, klass):
            return code
    return "error"


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)

    fields: dict = {}
    if isinstance(exc, ApiError):
        message = str(exc.detail)
        fields = exc.fields
        extra = exc.extra
    elif isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = _flatten(detail)
        else:
            fields = {"non_field_errors": _flatten(detail)}
        message = _("The request has invalid fields; see 'fields'.")
        extra = {}
    else:
        message = str(exc.detail) if not isinstance(exc.detail, dict | list) else _("Error.")
        extra = {}
    response.data = error_body(_code_for(exc), message, fields, **extra)
    return response


def json_error_response(code: str, message: str, status_code: int) -> JsonResponse:
    """For code paths outside DRF views (middleware, Django error handlers under /v1/)."""
    return JsonResponse(error_body(code, message), status=status_code)
