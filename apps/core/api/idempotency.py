"""Idempotency-Key support for automation POSTs.

Decorate a DRF view method with ``@idempotent``. The view's work and the stored answer
commit in one transaction, so a crash leaves neither, and two racing calls with the same
key end with one applied and the other replaying its answer.

- no key: the call runs as usual;
- a new key: the call runs and its answer is stored;
- the same key and the same request: the first answer is returned again, with the
  header ``Idempotent-Replayed: true``;
- the same key and another request: 422 ``idempotency_key_reused``, nothing runs.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from apps.core.api.errors import ApiError
from apps.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _request_fingerprint(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    except (TypeError, ValueError):
        body = request.body.decode("utf-8", "replace") if hasattr(request, "body") else ""
    raw = "\n".join([request.method, request.path, request.META.get("QUERY_STRING", ""), body])
    return hashlib.sha256(raw.encode()).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        raise ApiError(
            _("This Idempotency-Key was used for a different request; use a new key."),
            code="idempotency_key_reused",
            status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
            fields={HEADER: [_("Already used with another request body.")]},
        )
    response = Response(record.response_body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(view_method: Callable) -> Callable:
    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view_method(self, request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise ApiError(
                _("Idempotency-Key must be 1 to 255 printable characters."),
                code="invalid_idempotency_key",
                fields={HEADER: [_("Invalid value.")]},
            )
        owner = request.user
        fingerprint = _request_fingerprint(request)
        existing = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
        if existing is not None:
            return _replay(existing, fingerprint)
        try:
            with transaction.atomic():
                response = view_method(self, request, *args, **kwargs)
                if response.status_code < 500:
                    IdempotencyRecord.objects.create(
                        owner=owner,
                        key=key,
                        method=request.method,
                        path=request.path[:500],
                        request_hash=fingerprint,
                        status_code=response.status_code,
                        response_body=json.loads(json.dumps(response.data, default=str)),
                    )
        except IntegrityError:
            # Another call with this key committed first: its work stands, ours rolled back.
            record = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
            if record is None:
                raise
            return _replay(record, fingerprint)
        return response

    return wrapper
