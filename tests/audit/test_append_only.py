"""Audit rows are never changed or removed: by the models, the querysets or the database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError

from apps.audit.models import (
    AccessLogEntry,
    AuditEvent,
    AuditRecordImmutable,
    LogEntry,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(make_user, audited, write_event, write_access):
    actor = make_user("ops")
    with audited(actor):
        actor.first_name = "Changed"
        actor.save()
        event = write_event("test.kept", target=actor)
        access = write_access(actor)
    change = LogEntry.objects.filter(actor=actor).latest("id")
    return {"changes": change, "events": event, "access": access, "actor": actor}


@pytest.mark.parametrize("kind", ["changes", "events", "access"])
def test_save__existing_row__refused(records, kind):
    row = records[kind]
    row.request_id = "forged"

    with pytest.raises(AuditRecordImmutable):
        row.save()

    assert type(row).objects.get(pk=row.pk).request_id != "forged"


@pytest.mark.parametrize("kind", ["changes", "events", "access"])
def test_delete__row__refused(records, kind):
    row = records[kind]

    with pytest.raises(AuditRecordImmutable):
        row.delete()

    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", [LogEntry, AuditEvent, AccessLogEntry])
def test_queryset_update_and_delete__refused(records, model):
    before = model.objects.count()

    with pytest.raises(AuditRecordImmutable):
        model.objects.all().update(request_id="forged")
    with pytest.raises(AuditRecordImmutable):
        model.objects.all().delete()
    with pytest.raises(AuditRecordImmutable):
        model.objects.filter(pk=records["events"].pk).delete()

    assert model.objects.count() == before
    assert not model.objects.filter(request_id="forged").exists()


def test_bulk_create__refused_because_it_would_skip_the_chain(records):
    with pytest.raises(AuditRecordImmutable):
        AuditEvent.objects.bulk_create([AuditEvent(name="test.bulk")])

    assert not AuditEvent.objects.filter(name="test.bulk").exists()


def test_delete_user__who_appears_in_the_trail__refused(records):
    actor = records["actor"]

    with pytest.raises(ProtectedError), transaction.atomic():
        actor.delete()

    assert LogEntry.objects.filter(actor=actor).exists()


@pytest.mark.postgres
@pytest.mark.parametrize("table", ["audit_logentry", "audit_auditevent", "audit_accesslogentry"])
def test_trigger__raw_update_or_delete__refused_by_postgresql(records, table):
    for sql in (
        f"UPDATE {table} SET request_id = 'forged'",  # noqa: S608
        f"DELETE FROM {table}",  # noqa: S608
    ):
        with pytest.raises((IntegrityError, DatabaseError)) as raised:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
        assert "append-only" in str(raised.value)

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE request_id = 'forged'")  # noqa: S608
        assert cursor.fetchone()[0] == 0
