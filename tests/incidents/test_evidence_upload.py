"""Uploading evidence: the size limit holds before the body is read in full."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.test import RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from apps.core.uploads import (
    FORM_OVERHEAD_BYTES,
    LimitedUploadHandler,
    UploadLimitMiddleware,
    upload_refusal,
)
from apps.incidents.models import Evidence
from tests.incidents.evidence_fixtures import _evidence_in_tmp, stored_files  # noqa: F401
from tests.incidents.factories import commander, declare

pytestmark = pytest.mark.django_db


class CountingStream(io.BytesIO):
    """The request body; remembers how many bytes the server read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.taken += len(line)
        return line


def _multipart_request(path: str, file_bytes: bytes, *, content_length: int | None = None):
    body = encode_multipart(
        BOUNDARY,
        {
            "csrfmiddlewaretoken": "x",
            "title": "big",
            "file": SimpleUploadedFile("dump.log", file_bytes),
        },
    )
    stream = CountingStream(body)
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body) if content_length is None else content_length),
        **{"wsgi.input": stream},
    )
    return WSGIRequest(environ), stream, body


def _parse_through_middleware(request):
    seen = {}

    def view_chain(req):
        seen["post"], seen["files"] = req.POST, req.FILES
        return None

    UploadLimitMiddleware(view_chain)(request)
    return seen


def test_content_length_over_the_limit__refused_before_the_file_is_read(settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    incident = declare()
    request, stream, body = _multipart_request(
        f"/incidents/{incident.number}/evidence/", b"A" * (4 * 1024 * 1024)
    )
    seen = _parse_through_middleware(request)

    assert isinstance(request.upload_handlers[0], LimitedUploadHandler)
    refusal = upload_refusal(request)
    assert (refusal.field, refusal.limit) == ("file", 1000)
    assert "file" not in seen["files"]
    assert seen["post"]["title"] == "big"  # fields before the file are still read
    assert stream.taken < 256 * 1024 < len(body)


def test_file_passing_the_limit_while_streaming__cut_off_there(settings):
    # Content-Length is within the limit plus the form's overhead, so only the counting
    # catches it (as with a request whose declared length cannot be trusted).
    limit = 200 * 1024
    settings.EVIDENCE_MAX_BYTES = limit
    incident = declare()
    request, stream, body = _multipart_request(
        f"/incidents/{incident.number}/evidence/", b"B" * (limit + FORM_OVERHEAD_BYTES - 4096)
    )
    assert len(body) <= limit + FORM_OVERHEAD_BYTES
    seen = _parse_through_middleware(request)

    assert upload_refusal(request).field == "file"
    assert "file" not in seen["files"]
    assert stream.taken < len(body)


def test_file_within_the_limit__hashed_while_streaming(settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    incident = declare()
    content = b"C" * 300_000
    request, stream, body = _multipart_request(f"/incidents/{incident.number}/evidence/", content)
    seen = _parse_through_middleware(request)

    assert upload_refusal(request) is None
    assert seen["files"]["file"].sha256 == hashlib.sha256(content).hexdigest()
    assert stream.taken == len(body)


def test_views_without_a_declared_limit_keep_the_default_handlers():
    request, _stream, _body = _multipart_request("/warroom/", b"x" * 10)
    _parse_through_middleware(request)
    assert not any(isinstance(h, LimitedUploadHandler) for h in request.upload_handlers)


def test_page_upload__stored_and_shown(verified_client):
    person = commander()
    incident = declare(actor=person)
    client = verified_client(person)
    url = f"/incidents/{incident.number}/evidence/"
    answer = client.post(
        url, {"file": SimpleUploadedFile("app.log", b"hello\n"), "title": "App log"}
    )
    assert answer.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(b"hello\n").hexdigest()
    listing = client.get(url)
    assert listing.status_code == 200
    assert "App log" in listing.content.decode()
    assert evidence.sha256[:16] in listing.content.decode()


def test_page_upload__over_the_limit__form_error_names_field_and_limit_nothing_written(
    settings, verified_client
):
    settings.EVIDENCE_MAX_BYTES = 2048
    person = commander()
    incident = declare(actor=person)
    answer = verified_client(person).post(
        f"/incidents/{incident.number}/evidence/",
        {"file": SimpleUploadedFile("big.log", b"x" * 5000), "title": "Big"},
    )
    assert answer.status_code == 413
    form = answer.context["form"]
    assert "file" in form.errors
    assert "2048" in form.errors["file"][0]
    assert not Evidence.objects.exists()
    assert stored_files() == []


def test_page_download__verified_attachment_and_refused_when_changed(verified_client):
    from tests.incidents.evidence_fixtures import overwrite

    person = commander()
    incident = declare(actor=person)
    client = verified_client(person)
    client.post(
        f"/incidents/{incident.number}/evidence/",
        {"file": SimpleUploadedFile("page.html", b"<script>alert(1)</script>", "text/html")},
    )
    evidence = Evidence.objects.get()
    url = f"/incidents/{incident.number}/evidence/{evidence.pk}/download"
    answer = client.get(url)
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == b"<script>alert(1)</script>"
    assert answer["Content-Type"] == "application/octet-stream"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Disposition"].startswith("attachment;")
    assert 'filename="page.html"' in answer["Content-Disposition"]

    [path] = stored_files()
    overwrite(path, b"<script>alert(2)</script>")
    refused = client.get(url)
    assert refused.status_code == 409
    assert b"alert(2)" not in refused.content


def test_the_page_and_the_api_upload_declare_the_evidence_limit(settings):
    from django.urls import resolve

    from apps.core.uploads import declared_upload_limit

    settings.EVIDENCE_MAX_BYTES = 4321
    for path in ("/incidents/INC-2026-0001/evidence/", "/v1/incidents/INC-2026-0001/evidence"):
        assert declared_upload_limit(resolve(path).func) == 4321, path


def test_page_upload__from_the_incident_page__back_to_its_evidence_panel(verified_client):
    person = commander()
    incident = declare(actor=person)
    client = verified_client(person)
    page = client.get(f"/incidents/{incident.number}/")
    assert page.status_code == 200
    assert 'name="back" value="incident"' in page.content.decode()
    answer = client.post(
        f"/incidents/{incident.number}/evidence/",
        {"file": SimpleUploadedFile("a.log", b"a\n"), "back": "incident"},
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"/incidents/{incident.number}/#panel-evidence"
    shown = client.get(f"/incidents/{incident.number}/").content.decode()
    assert "a.log" in shown
