"""The API answer to a refused change-request action, shared by every app that files
or decides change requests through the API."""

from __future__ import annotations

from rest_framework.response import Response

from apps.approvals.services import ApprovalRefused
from apps.core.api.errors import error_body


def refused_response(exc: ApprovalRefused) -> Response:
    """The error body with the refusal's code, message, field and status.

    Answered, not raised: what was recorded with the refusal (an audited freeze refusal,
    a counted wrong code) must commit with the idempotent answer.
    """
    fields = {exc.field: [exc.message]} if exc.field else {}
    return Response(error_body(exc.code, exc.message, fields, **exc.extra), status=exc.status)
