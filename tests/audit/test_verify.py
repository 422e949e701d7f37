"""``manage.py audit_verify`` proves the chains intact and names the first broken row."""

from __future__ import annotations

import pytest

from apps.audit.models import AccessLogEntry, AuditEvent, LogEntry
from tests.audit.tampering import raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(make_user, audited, write_event, write_access):
    actor = make_user("ops")
    with audited(actor):
        for name in ("Ann", "Bea", "Cyd"):
            actor.first_name = name
            actor.save()
        for number in range(3):
            write_event(f"test.event_{number}", target=actor)
            write_access(actor, reason=f"look {number}")
    return actor


def test_audit_verify__clean_database__passes(trail, run_verify):
    ok, output = run_verify()

    assert ok, output
    assert "audit chain 'changes'" in output
    assert f"{AuditEvent.objects.count()} rows, intact" in output
    assert "All audit chains intact." in output


def test_audit_verify__empty_chains__pass(db, run_verify):
    ok, output = run_verify("--chain", "access")

    assert ok, output
    assert "audit chain 'access': 0 rows, intact." in output


def test_audit_verify__change_row_altered_with_sql__fails_naming_the_row(trail, run_verify):
    victim = LogEntry.objects.order_by("id")[1]
    raw("UPDATE audit_logentry SET object_repr = %s WHERE id = %s", ["forged", victim.pk])

    ok, output = run_verify()

    assert not ok
    assert f"audit chain 'changes' is broken at row {victim.pk}" in output
    assert "does not match its content" in output


@pytest.mark.parametrize(
    ("model", "table", "column", "chain"),
    [
        (AuditEvent, "audit_auditevent", "name", "events"),
        (AccessLogEntry, "audit_accesslogentry", "reason", "access"),
    ],
)
def test_audit_verify__event_or_access_row_altered__fails_naming_the_row(
    trail, run_verify, model, table, column, chain
):
    victim = model.objects.order_by("id")[1]
    raw(f"UPDATE {table} SET {column} = %s WHERE id = %s", ["forged", victim.pk])  # noqa: S608

    ok, output = run_verify("--chain", chain)

    assert not ok
    assert f"audit chain '{chain}' is broken at row {victim.pk}" in output


def test_audit_verify__hash_recomputed_by_forger__next_row_link_breaks(trail, run_verify):
    rows = list(AuditEvent.objects.order_by("id"))
    raw("UPDATE audit_auditevent SET row_hash = %s WHERE id = %s", ["f" * 64, rows[0].pk])

    ok, output = run_verify("--chain", "events")

    assert not ok
    assert f"broken at row {rows[0].pk}" in output


def test_audit_verify__middle_row_deleted__gap_detected(trail, run_verify):
    rows = list(AuditEvent.objects.order_by("id"))
    raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[1].pk])

    ok, output = run_verify("--chain", "events")

    assert not ok
    assert f"broken at row {rows[2].pk}: prev_hash does not link to row {rows[0].pk}" in output


def test_audit_verify__newest_row_deleted__detected_through_the_head(trail, run_verify):
    rows = list(AccessLogEntry.objects.order_by("id"))
    raw("DELETE FROM audit_accesslogentry WHERE id = %s", [rows[-1].pk])

    ok, output = run_verify("--chain", "access")

    assert not ok
    assert f"broken at row {rows[-1].pk}" in output
    assert "removed from its end" in output


def test_audit_verify__first_row_deleted__detected(trail, run_verify):
    rows = list(LogEntry.objects.order_by("id"))
    raw("DELETE FROM audit_logentry WHERE id = %s", [rows[0].pk])

    ok, output = run_verify("--chain", "changes")

    assert not ok
    assert f"broken at row {rows[1].pk}: prev_hash does not link to the start" in output
