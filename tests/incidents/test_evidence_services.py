"""Evidence: attached files and row snapshots, kept immutable and read back verified."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.utils import IntegrityError

from apps.accounts.models import ApiToken, User
from apps.accounts.roles import OPS, REVIEWER
from apps.audit.models import AccessLogEntry, AuditEvent
from apps.incidents.models import EntryKind, Evidence, EvidenceImmutable, EvidenceKind
from apps.incidents.services.evidence import (
    EvidenceTampered,
    evidence_attach_file,
    evidence_read_verified,
    evidence_snapshot_rows,
    is_secret_field,
    snapshot_fields,
)
from tests.factories import UserFactory, make_token
from tests.incidents.evidence_fixtures import _evidence_in_tmp, overwrite, stored_files  # noqa: F401
from tests.incidents.factories import commander, declare

pytestmark = pytest.mark.django_db

LOG = b"2026-12-03T10:00:00Z ERROR withdrawals: nonce too low\n" * 20


def _attach(incident, actor, content=LOG, name="api.log", **kwargs):
    upload = SimpleUploadedFile(name, content, content_type="text/plain")
    return evidence_attach_file(actor=actor, incident=incident, file=upload, **kwargs)


def test_attach_file__stored_with_hash_size_who_and_a_timeline_entry():
    person = commander()
    incident = declare(actor=person)
    evidence = _attach(incident, person, title="API log", description="from pod api-2")

    assert evidence.kind == EvidenceKind.FILE
    assert evidence.sha256 == hashlib.sha256(LOG).hexdigest()
    assert evidence.size == len(LOG)
    assert (evidence.added_by, evidence.original_filename) == (person, "api.log")
    assert "api.log" not in evidence.storage_key
    [path] = stored_files()
    assert path.read_bytes() == LOG
    entry = incident.timeline.get(kind=EntryKind.EVIDENCE)
    assert entry.data["sha256"] == evidence.sha256 and entry.actor == person
    assert AuditEvent.objects.filter(name="incident.evidence_added").count() == 1


def test_storage_keys_are_random_and_ignore_the_uploaded_name():
    person = commander()
    incident = declare(actor=person)
    first = _attach(incident, person, name="../../etc/passwd")
    second = _attach(incident, person, name="../../etc/passwd")
    assert first.storage_key != second.storage_key
    assert "passwd" not in first.storage_key and ".." not in first.storage_key
    assert first.original_filename == "passwd"


def test_attach__someone_who_does_not_run_the_incident__refused_nothing_written():
    incident = declare()
    for outsider in (UserFactory(roles=[OPS]), UserFactory(roles=[REVIEWER])):
        with pytest.raises(PermissionDenied):
            _attach(incident, outsider)
    assert not Evidence.objects.exists()
    assert stored_files() == []


def test_attach__over_the_size_limit__refused_naming_the_field(settings):
    settings.EVIDENCE_MAX_BYTES = 100
    person = commander()
    incident = declare(actor=person)
    with pytest.raises(ValidationError) as caught:
        _attach(incident, person, content=b"x" * 101)
    assert "file" in caught.value.message_dict
    assert "100" in caught.value.message_dict["file"][0]
    assert not Evidence.objects.exists()
    assert stored_files() == []


def test_download__hash_verifies__bytes_and_an_access_record_each_time():
    person = commander()
    incident = declare(actor=person)
    evidence = _attach(incident, person)
    reader = UserFactory(roles=[REVIEWER])

    for _ in range(2):
        with evidence_read_verified(actor=reader, evidence=evidence) as content:
            assert content.read() == LOG

    records = AccessLogEntry.objects.filter(subject_id=str(evidence.pk), what="evidence_download")
    assert records.count() == 2
    assert {r.actor_id for r in records} == {reader.pk}


def test_download__stored_file_changed__refused_with_an_audit_event_no_access_record():
    person = commander()
    incident = declare(actor=person)
    evidence = _attach(incident, person)
    [path] = stored_files()
    overwrite(path, LOG.replace(b"ERROR", b"INFO "))  # same size, other bytes

    with pytest.raises(EvidenceTampered):
        evidence_read_verified(actor=person, evidence=evidence)
    event = AuditEvent.objects.get(name="incident.evidence_tampered")
    assert event.data["reason"] == "hash_mismatch"
    assert not AccessLogEntry.objects.filter(what="evidence_download").exists()


def test_download__stored_file_gone__refused():
    person = commander()
    incident = declare(actor=person)
    evidence = _attach(incident, person)
    [path] = stored_files()
    path.unlink()
    with pytest.raises(EvidenceTampered):
        evidence_read_verified(actor=person, evidence=evidence)
    assert AuditEvent.objects.get(name="incident.evidence_tampered").data["reason"] == "missing"


def test_evidence_refuses_change_and_removal_in_python():
    person = commander()
    evidence = _attach(declare(actor=person), person)
    evidence.title = "rewritten"
    with pytest.raises(EvidenceImmutable):
        evidence.save()
    with pytest.raises(EvidenceImmutable):
        evidence.delete()
    with pytest.raises(EvidenceImmutable):
        Evidence.objects.filter(pk=evidence.pk).update(title="x")
    with pytest.raises(EvidenceImmutable):
        Evidence.objects.filter(pk=evidence.pk).delete()
    with pytest.raises(EvidenceImmutable):
        Evidence.objects.bulk_update([evidence], ["title"])
    assert Evidence.objects.get(pk=evidence.pk).title == "api.log"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE incidents_evidence SET sha256 = repeat('0', 64) WHERE id = %s",
        "DELETE FROM incidents_evidence WHERE id = %s",
    ],
)
def test_evidence_refuses_change_and_removal_in_postgresql(statement):
    person = commander()
    evidence = _attach(declare(actor=person), person)
    with pytest.raises(IntegrityError, match="immutable"):
        with connection.cursor() as cursor:
            cursor.execute(statement, [evidence.pk])


@pytest.mark.postgres
def test_evidence_refuses_truncate_in_postgresql():
    person = commander()
    _attach(declare(actor=person), person)
    with pytest.raises(IntegrityError, match="immutable"):
        with connection.cursor() as cursor:
            # The insert's deferred foreign-key checks would otherwise block TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE incidents_evidence CASCADE")


def _document(evidence) -> dict:
    with evidence_read_verified(actor=evidence.added_by, evidence=evidence) as content:
        return json.loads(content.read())


def test_snapshot__user_row__password_never_included():
    person = commander()
    incident = declare(actor=person)
    subject = UserFactory(username="victim", password="correct horse battery staple")
    evidence = evidence_snapshot_rows(
        actor=person, incident=incident, queryset_or_objects=[subject], title="Who was hit"
    )

    assert evidence.kind == EvidenceKind.SNAPSHOT
    assert evidence.content_type == "application/json"
    assert evidence.source == {"accounts.user": [str(subject.pk)]}
    document = _document(evidence)
    [row] = document["rows"]
    assert row["model"] == "accounts.user" and row["fields"]["username"] == "victim"
    assert "password" not in row["fields"]
    assert subject.password not in json.dumps(document)
    assert document["excluded_fields"]["accounts.user"] == ["password"]
    assert incident.timeline.filter(kind=EntryKind.EVIDENCE).count() == 1


def test_snapshot__token_row__its_hash_left_out():
    person = commander()
    incident = declare(actor=person)
    token, _plaintext = make_token(scopes=["flags:read"])
    evidence = evidence_snapshot_rows(
        actor=person,
        incident=incident,
        queryset_or_objects=ApiToken.objects.filter(pk=token.pk),
        title="Token used",
    )
    [row] = _document(evidence)["rows"]
    assert "token_hash" not in row["fields"]
    assert token.token_hash not in json.dumps(row)


def test_snapshot__stable_order_whatever_order_the_rows_come_in():
    person = commander()
    incident = declare(actor=person)
    people = [UserFactory() for _ in range(3)]
    forward = evidence_snapshot_rows(
        actor=person, incident=incident, queryset_or_objects=people, title="a"
    )
    backward = evidence_snapshot_rows(
        actor=person, incident=incident, queryset_or_objects=people[::-1] + people, title="a"
    )
    first = _document(forward)["rows"]
    second = _document(backward)["rows"]
    assert first == second
    assert [row["pk"] for row in first] == sorted(p.pk for p in people)


def test_snapshot__no_rows__refused():
    person = commander()
    with pytest.raises(ValidationError) as caught:
        evidence_snapshot_rows(
            actor=person,
            incident=declare(actor=person),
            queryset_or_objects=User.objects.none(),
            title="empty",
        )
    assert "rows" in caught.value.message_dict


def test_secret_field_rule__names_and_types():
    kept, excluded = snapshot_fields(User)
    assert "password" in excluded and "username" in kept and "email" in kept
    _kept, token_excluded = snapshot_fields(ApiToken)
    assert "token_hash" in token_excluded
    from apps.notify.models import Channel

    assert is_secret_field(Channel, Channel._meta.get_field("secret"))
    from apps.flags.models import Flag

    assert not is_secret_field(Flag, Flag._meta.get_field("key"))
