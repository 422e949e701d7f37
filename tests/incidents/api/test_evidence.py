"""The evidence API: multipart upload, metadata, verified download; no edits."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.roles import OPS, REVIEWER
from apps.audit.models import AccessLogEntry, AuditEvent
from apps.incidents.models import Evidence
from tests.factories import UserFactory
from tests.incidents.evidence_fixtures import _evidence_in_tmp, overwrite, stored_files  # noqa: F401
from tests.incidents.factories import commander, declare

pytestmark = pytest.mark.django_db

CONTENT = b'{"tx": "0xabc", "status": "stuck"}\n'


def _upload(api, incident, content=CONTENT, name="tx.json", **fields):
    return api.post(
        f"/v1/incidents/{incident.number}/evidence",
        {"file": SimpleUploadedFile(name, content, "application/json"), **fields},
        format="multipart",
    )


def test_upload__201_with_hash_then_listed_and_read(verified_api_client):
    person = commander()
    incident = declare(actor=person)
    api = verified_api_client(person)

    answer = _upload(api, incident, title="Stuck tx")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["sha256"] == hashlib.sha256(CONTENT).hexdigest()
    assert (body["size"], body["title"], body["added_by"]) == (
        len(CONTENT),
        "Stuck tx",
        person.username,
    )
    listed = api.get(f"/v1/incidents/{incident.number}/evidence").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    detail = api.get(f"/v1/incidents/{incident.number}/evidence/{body['id']}")
    assert detail.status_code == 200 and detail.json()["sha256"] == body["sha256"]


def test_upload__without_a_file__400_naming_file(verified_api_client):
    person = commander()
    incident = declare(actor=person)
    answer = verified_api_client(person).post(
        f"/v1/incidents/{incident.number}/evidence", {"title": "nothing"}, format="multipart"
    )
    assert answer.status_code == 400
    assert "file" in answer.json()["error"]["fields"]


def test_upload__over_the_limit__413_naming_file_and_limit_nothing_written(
    settings, verified_api_client
):
    settings.EVIDENCE_MAX_BYTES = 10
    person = commander()
    incident = declare(actor=person)
    answer = _upload(verified_api_client(person), incident, content=b"y" * 500_000)
    assert answer.status_code == 413
    error = answer.json()["error"]
    assert error["code"] == "too_large"
    assert "10" in error["fields"]["file"][0]
    assert not Evidence.objects.exists()
    assert stored_files() == []


def test_upload__someone_not_running_the_incident__403(verified_api_client):
    incident = declare()
    answer = _upload(verified_api_client(UserFactory(roles=[OPS])), incident)
    assert answer.status_code == 403
    assert stored_files() == []


def test_no_put_patch_or_delete(verified_api_client):
    person = commander()
    incident = declare(actor=person)
    api = verified_api_client(person)
    evidence_id = _upload(api, incident).json()["id"]
    for url in (
        f"/v1/incidents/{incident.number}/evidence",
        f"/v1/incidents/{incident.number}/evidence/{evidence_id}",
        f"/v1/incidents/{incident.number}/evidence/{evidence_id}/download",
    ):
        for method in ("put", "patch", "delete"):
            answer = getattr(api, method)(url, {"title": "changed"}, format="json")
            assert answer.status_code == 405, (method, url)
    assert Evidence.objects.get(pk=evidence_id).title == "tx.json"


def test_download__every_download_in_the_access_log(verified_api_client):
    person = commander()
    incident = declare(actor=person)
    evidence_id = _upload(verified_api_client(person), incident).json()["id"]
    reader = UserFactory(roles=[REVIEWER])
    api = verified_api_client(reader)
    url = f"/v1/incidents/{incident.number}/evidence/{evidence_id}/download"
    for _ in range(3):
        answer = api.get(url)
        assert answer.status_code == 200
        assert b"".join(answer.streaming_content) == CONTENT
        assert answer["Content-Type"] == "application/json"
        assert answer["X-Content-Type-Options"] == "nosniff"
        assert answer["Content-Disposition"] == 'attachment; filename="tx.json"'
    records = AccessLogEntry.objects.filter(
        subject_type="incidents.evidence", subject_id=str(evidence_id)
    )
    assert records.count() == 3 and {r.actor_id for r in records} == {reader.pk}


def test_download__tampered__409_audited_no_bytes(verified_api_client):
    person = commander()
    incident = declare(actor=person)
    api = verified_api_client(person)
    evidence_id = _upload(api, incident).json()["id"]
    [path] = stored_files()
    overwrite(path, CONTENT + b"appended\n")

    answer = api.get(f"/v1/incidents/{incident.number}/evidence/{evidence_id}/download")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "evidence_tampered"
    assert b"appended" not in answer.content
    assert AuditEvent.objects.filter(name="incident.evidence_tampered").count() == 1
    assert not AccessLogEntry.objects.filter(what="evidence_download").exists()


def test_tokens_are_refused(token_client):
    incident = declare()
    api, _token = token_client(scopes=["flags:read"])
    assert api.get(f"/v1/incidents/{incident.number}/evidence").status_code == 403


def test_download__any_accept_header__the_file(verified_api_client):
    person = commander()
    incident = declare(actor=person)
    api = verified_api_client(person)
    evidence_id = _upload(api, incident).json()["id"]
    answer = api.get(
        f"/v1/incidents/{incident.number}/evidence/{evidence_id}/download",
        HTTP_ACCEPT="application/octet-stream",
    )
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == CONTENT
