"""Upload size limits enforced while the body streams in, not after it was read.

A view that takes files declares its limit by naming the setting that holds it::

    @upload_limit("EVIDENCE_MAX_BYTES")
    def evidence_new(request, number): ...

    class EvidenceListView(APIView):
        upload_limit_setting = "EVIDENCE_MAX_BYTES"

``UploadLimitMiddleware`` (placed before anything that reads ``request.POST``: the NUL
guard and CSRF read form bodies) finds the view of a multipart POST and gives the request
one upload handler, ``LimitedUploadHandler``, that

- refuses at once when ``Content-Length`` says the body is larger than the limit (plus a
  little for the form's other fields): the parser stops at the first file's first byte;
- counts the bytes of each file as they arrive and stops reading when a file passes the
  limit (a chunked or lying request is cut off there);
- computes each file's SHA-256 on the way (``uploaded_file.sha256``);
- keeps files in a temporary file that is removed when the request ends or is cut off.

A refused upload is not an exception crossing the middleware: the parser stops
(``StopUpload``, without reading the rest), the fields read so far stay available, and
``upload_refusal(request)`` tells the view which field passed which limit so it can answer
413 (API) or show the form error (page). Nothing of the file is kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest, HttpResponse

UPLOAD_LIMIT_ATTRIBUTE = "upload_limit_setting"
# Room for the other fields of the form (title, description, CSRF token, the multipart
# boundaries) on top of the file itself.
FORM_OVERHEAD_BYTES = 64 * 1024

View = TypeVar("View", bound=Callable)


@dataclass(frozen=True)
class UploadRefusal:
    field: str
    limit: int


def upload_limit(setting_name: str) -> Callable[[View], View]:
    """Declare that a page takes files of at most ``settings.<setting_name>`` bytes."""

    def decorate(view: View) -> View:
        setattr(view, UPLOAD_LIMIT_ATTRIBUTE, setting_name)
        return view

    return decorate


def declared_upload_limit(view) -> int | None:
    """The byte limit a view declared (function attribute or class attribute), or None."""
    name = getattr(view, UPLOAD_LIMIT_ATTRIBUTE, None)
    if name is None:
        for attribute in ("view_class", "cls"):
            name = getattr(getattr(view, attribute, None), UPLOAD_LIMIT_ATTRIBUTE, None)
            if name:
                break
    return int(getattr(settings, name)) if name else None


def upload_refusal(request) -> UploadRefusal | None:
    """Why the upload of ``request`` (a Django or DRF request) was cut off, or None."""
    request = getattr(request, "_request", request)
    return getattr(request, "upload_refusal", None)


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Counts, hashes and limits each file of one request (see the module docstring)."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.declared_too_large = False
        self.received = 0
        self.digest = hashlib.sha256()

    def _refuse(self, field_name: str):
        self.request.upload_refusal = UploadRefusal(field=field_name, limit=self.limit)
        raise StopUpload(connection_reset=True)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.declared_too_large = content_length > self.limit + FORM_OVERHEAD_BYTES
        return None  # the parser goes on; the first file is refused before it is read

    def new_file(self, field_name, *args, **kwargs):
        if self.declared_too_large:
            self._refuse(field_name)
        super().new_file(field_name, *args, **kwargs)
        self.received = 0
        self.digest = hashlib.sha256()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse(self.field_name)
        self.digest.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        uploaded.sha256 = self.digest.hexdigest()
        return uploaded


def _is_multipart_post(request: HttpRequest) -> bool:
    return request.method == "POST" and (request.META.get("CONTENT_TYPE") or "").startswith(
        "multipart/"
    )


class UploadLimitMiddleware:
    """Installs ``LimitedUploadHandler`` on multipart POSTs to views that declare a limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_multipart_post(request):
            from django.urls import Resolver404, resolve

            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            limit = declared_upload_limit(match.func) if match is not None else None
            if limit is not None:
                request.upload_handlers = [LimitedUploadHandler(request, limit)]
        return self.get_response(request)
