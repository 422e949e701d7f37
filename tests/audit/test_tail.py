"""Cutting the chain at its tail: refused by PostgreSQL, or caught by ``audit_verify``.

Someone with SQL access tries three things: delete the newest rows and rewind the head,
append a row whose hash they computed themselves, and TRUNCATE a table and reset its
head. With the triggers on, PostgreSQL refuses the first and the last; the keyed hash
catches the second. A superuser who switches the triggers off can make a consistent
shorter chain, which only an anchor kept outside the database proves wrong.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from apps.audit.chain import GENESIS, canonical_json, key_id_for, row_content
from apps.audit.models import AccessLogEntry, AuditEvent, ChainHead, LogEntry
from tests.audit.tampering import keyed_hash, raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(make_user, audited, write_event, write_access):
    actor = make_user("ops")
    with audited(actor):
        actor.first_name = "Ann"
        actor.save()
        for number in range(5):
            write_event(f"test.event_{number}", target=actor)
        write_access(actor, reason="look")
    return actor


def sql(statement: str, params: list | None = None):
    """Run one statement as the portal's database user would (triggers on)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def anchor_file(tmp_path, capsys):
    call_command("audit_anchor")
    path = tmp_path / "anchors.jsonl"
    path.write_text(capsys.readouterr().out)
    return path


def events_head() -> ChainHead:
    return ChainHead.objects.get(chain="events")


# --- delete the newest rows and rewind the head ---------------------------------------


@pytest.mark.postgres
def test_tail_cut__delete_newest_rows_and_rewind_head__refused_by_postgresql(trail):
    rows = list(AuditEvent.objects.order_by("id"))
    head_before = (events_head().last_id, events_head().last_hash)

    with pytest.raises(DatabaseError, match="append-only"):
        sql("DELETE FROM audit_auditevent WHERE id >= %s", [rows[-2].pk])
    with pytest.raises(DatabaseError, match="only move forward"):
        sql(
            "UPDATE audit_chainhead SET last_id = %s, last_hash = %s WHERE chain = 'events'",
            [rows[-3].pk, rows[-3].row_hash],
        )
    with pytest.raises(DatabaseError, match="only move forward"):
        sql("DELETE FROM audit_chainhead WHERE chain = 'events'")

    assert AuditEvent.objects.count() == len(rows)
    assert (events_head().last_id, events_head().last_hash) == head_before


def test_tail_cut__triggers_off__consistent_chain_passes_but_anchor_fails(
    trail, tmp_path, capsys, run_verify
):
    anchors = anchor_file(tmp_path, capsys)
    rows = list(AuditEvent.objects.order_by("id"))
    raw("DELETE FROM audit_auditevent WHERE id >= %s", [rows[-2].pk])
    raw(
        "UPDATE audit_chainhead SET last_id = %s, last_hash = %s WHERE chain = 'events'",
        [rows[-3].pk, rows[-3].row_hash],
    )

    plain_ok, _ = run_verify("--chain", "events")
    ok, output = run_verify("--anchor", str(anchors))

    assert plain_ok, "a cleanly cut chain is consistent; only the anchor shows the cut"
    assert not ok
    assert f"audit chain 'events' is broken at row {rows[-1].pk}" in output
    assert "is not in the chain" in output


# --- append a row with a self-computed hash -------------------------------------------


def _forge_event(*, key: str | None, key_id: str) -> int:
    """Insert an event linked to the head and move the head onto it, as SQL would."""
    head = events_head()
    forged = AuditEvent(name="test.forged", data={}, key_id=key_id, prev_hash=head.last_hash)
    payload = head.last_hash + canonical_json(row_content(forged))
    if key is None:
        row_hash = hashlib.sha256(payload.encode()).hexdigest()
    else:
        row_hash = keyed_hash(payload, key)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (name, actor_repr, target_type, target_id, "
            "target_repr, data, request_id, remote_addr, timestamp, key_id, prev_hash, "
            "row_hash) VALUES (%s, '', '', '', '', %s, '', NULL, %s, %s, %s, %s) RETURNING id",
            [
                forged.name,
                json.dumps(forged.data),
                connection.ops.adapt_datetimefield_value(forged.timestamp),
                key_id,
                head.last_hash,
                row_hash,
            ],
        )
        row_id = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE audit_chainhead SET last_id = %s, last_hash = %s WHERE chain = 'events'",
            [row_id, row_hash],
        )
    return row_id


GUESSED_KEY = "a-guessed-key-" + "q" * 32


@pytest.mark.parametrize(
    ("key", "claimed_key_id", "problem"),
    [
        (None, "", "key id ''"),  # the unkeyed recipe of the chain before keys
        (None, "current", "does not match its content"),
        (GUESSED_KEY, "current", "does not match its content"),
        (GUESSED_KEY, "own", f"key id '{key_id_for(GUESSED_KEY)}'"),
    ],
    ids=["unkeyed", "unkeyed-claiming-the-key-id", "wrong-key", "wrong-key-own-id"],
)
def test_append__self_hashed_row__detected_by_audit_verify(
    trail, run_verify, key, claimed_key_id, problem
):
    key_id = {
        "current": key_id_for(django_settings.AUDIT_CHAIN_KEY),
        "own": key_id_for(GUESSED_KEY),
    }.get(claimed_key_id, claimed_key_id)
    # The triggers let this through: the row links to the head and the head moves forward
    # onto the newest row. Only the key tells it apart.
    forged_id = _forge_event(key=key, key_id=key_id)

    ok, output = run_verify("--chain", "events")

    assert events_head().last_id == forged_id
    assert not ok
    assert f"audit chain 'events' is broken at row {forged_id}" in output
    assert problem in output


@pytest.mark.postgres
def test_append__row_not_linked_to_head__refused_by_postgresql(trail):
    before = AuditEvent.objects.count()

    with pytest.raises(DatabaseError, match="appended through their chain head"):
        sql(
            "INSERT INTO audit_auditevent (name, actor_repr, target_type, target_id, "
            "target_repr, data, request_id, timestamp, key_id, prev_hash, row_hash) "
            "VALUES ('test.side', '', '', '', '', '{}', '', now(), '', %s, %s)",
            [GENESIS, "1" * 64],
        )

    assert AuditEvent.objects.count() == before


@pytest.mark.postgres
def test_head__moved_past_the_newest_row_or_to_another_hash__refused_by_postgresql(trail):
    head = events_head()

    for last_id, last_hash in ((head.last_id + 1, head.last_hash), (head.last_id, "f" * 64)):
        with pytest.raises(DatabaseError, match="(only move forward|moves only forward)"):
            sql(
                "UPDATE audit_chainhead SET last_id = %s, last_hash = %s WHERE chain = 'events'",
                [last_id, last_hash],
            )

    assert (events_head().last_id, events_head().last_hash) == (head.last_id, head.last_hash)


# --- TRUNCATE -------------------------------------------------------------------------

APPEND_ONLY_TABLES = [
    "audit_logentry",
    "audit_auditevent",
    "audit_accesslogentry",
    "audit_chainhead",
    "flags_flagstate",
    "warroom_launchlogentry",
]


@pytest.mark.postgres
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_truncate__chained_or_append_only_table__refused_by_postgresql(trail, table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        before = cursor.fetchone()[0]
        # TRUNCATE refuses while this transaction's deferred foreign-key checks are
        # pending (a reason that has nothing to do with the trigger): run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    with pytest.raises(DatabaseError, match=r"TRUNCATE on \w+ is refused"):
        # CASCADE, so that foreign keys pointing at the table are not what stops it.
        sql(f"TRUNCATE {table} CASCADE")

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        assert cursor.fetchone()[0] == before


def test_truncate__triggers_off_and_heads_reset__caught_by_anchor(
    trail, tmp_path, capsys, run_verify
):
    anchors = anchor_file(tmp_path, capsys)
    if connection.vendor == "postgresql":
        raw("TRUNCATE audit_auditevent, audit_accesslogentry")
    else:
        raw("DELETE FROM audit_auditevent")
        raw("DELETE FROM audit_accesslogentry")
    raw(
        "UPDATE audit_chainhead SET last_id = 0, last_hash = %s "
        "WHERE chain IN ('events', 'access')",
        [GENESIS],
    )

    plain_ok, _ = run_verify("--chain", "events", "--chain", "access")
    ok, output = run_verify("--anchor", str(anchors))

    assert plain_ok
    assert not ok
    assert "audit chain 'events' is broken at row" in output
    assert "is not in the chain" in output
    assert LogEntry.objects.exists() and not AccessLogEntry.objects.exists()
