"""Idempotency-Key support for automation POSTs.

Decorate a DRF view method with ``@idempotent`` (or ``@idempotent(redact=("token",))``).
The key's row is inserted first, then the view runs, then its answer is stored, all in
one transaction: a crash leaves nothing, and of two racing calls with the same key the
second waits on the key's unique index until the first commits, then replays its answer.

- no key: the call runs as usual;
- a new key: the call runs and its answer is stored;
- the same key and the same request: the first answer is returned again, with the
  header ``Idempotent-Replayed: true``; the view does not run again;
- the same key and another request: 422 ``idempotency_key_reused``, nothing runs;
- an empty, over-long or unprintable key: 400 ``invalid_idempotency_key``.

Keys belong to the caller (the person, or the service account behind a token). Answers
that raised an error are not stored, so a call refused for bad input can be corrected
and sent again with the same key. Fields named in ``redact`` (secrets shown once) are
stored as null, so a replay answers without them.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.response import Response

from apps.core.api.errors import ApiError
from apps.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Optional, 1-255 printable characters. A retry with the same key and body returns "
        "the first answer (header Idempotent-Replayed: true) without acting again; the "
        "same key with another body is refused with 422 idempotency_key_reused."
    ),
)


def _request_fingerprint(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    except (TypeError, ValueError):
        body = repr(request.data)
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
    response[REPLAYED_HEADER] = "true"
    return response


def _stored_body(data, redact: Iterable[str]):
    body = json.loads(json.dumps(data, default=str))
    if isinstance(body, dict):
        for field in redact:
            if field in body:
                body[field] = None
    return body


def _clean_key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ApiError(
            _("Idempotency-Key must be 1 to 255 printable characters."),
            code="invalid_idempotency_key",
            fields={HEADER: [_("Invalid value.")]},
        )
    return key


def _wrap(view_method: Callable, redact: tuple[str, ...]) -> Callable:
    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = _clean_key(request)
        owner = request.user
        if key is None or not getattr(owner, "is_authenticated", False):
            return view_method(self, request, *args, **kwargs)
        fingerprint = _request_fingerprint(request)
        existing = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
        if existing is not None:
            return _replay(existing, fingerprint)
        try:
            with transaction.atomic():
                # Claim the key before doing the work: a concurrent call with the same key
                # blocks here until this transaction ends, then fails on the unique index.
                record = IdempotencyRecord.objects.create(
                    owner=owner,
                    key=key,
                    method=request.method,
                    path=request.path[:500],
                    request_hash=fingerprint,
                    status_code=0,
                    response_body=None,
                )
                response = view_method(self, request, *args, **kwargs)
                if response.status_code >= 500:
                    record.delete()
                else:
                    record.status_code = response.status_code
                    record.response_body = _stored_body(response.data, redact)
                    record.save(update_fields=["status_code", "response_body"])
        except IntegrityError:
            # Another call with this key committed first: its work stands, ours rolled back.
            record = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
            if record is None:
                raise
            return _replay(record, fingerprint)
        return response

    return wrapper


def idempotent(view_method: Callable | None = None, *, redact: Iterable[str] = ()) -> Callable:
    """``@idempotent`` or ``@idempotent(redact=("token",))`` on a DRF view method."""
    if view_method is not None:
        return _wrap(view_method, tuple(redact))
    return lambda method: _wrap(method, tuple(redact))
