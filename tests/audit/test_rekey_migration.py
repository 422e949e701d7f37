"""The migration that converts the unkeyed chains to keyed ones, and its reverse.

The migration's functions run against the historical models of the state before it, on
the test database, with the triggers off as they are at that point of the migration
history on PostgreSQL (the later tail-proof triggers do not exist yet there).
"""

from __future__ import annotations

import hashlib
import importlib
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

import apps.audit.migrations
from apps.audit.chain import GENESIS, canonical_json, row_content
from apps.audit.models import CHAINED_MODELS, AuditEvent, ChainHead, LogEntry
from tests.audit.tampering import raw, tamper_allowed

pytestmark = pytest.mark.django_db

_PATH = next(Path(apps.audit.migrations.__path__[0]).glob("*_chain_rekeyed.py"))
rekey_migration = importlib.import_module(f"apps.audit.migrations.{_PATH.stem}")


def run_migration_function(function) -> None:
    state = MigrationExecutor(connection).loader.project_state(
        rekey_migration.Migration.dependencies[0]
    )
    with tamper_allowed():
        function(state.apps, connection.schema_editor(atomic=False))


def unkeyed_hash(row, prev_hash: str) -> str:
    """The recipe before keys: SHA-256 over the previous hash and the content, no key id."""
    content = row_content(row)
    del content["key_id"]
    return hashlib.sha256((prev_hash + canonical_json(content)).encode()).hexdigest()


def make_unkeyed() -> dict[str, tuple[int, str]]:
    """Rewrite the trail as the portal wrote it before keys; the unkeyed heads."""
    heads = {}
    for chain, model in CHAINED_MODELS.items():
        prev_hash, last_id = GENESIS, 0
        for row in model.objects.order_by("pk"):
            row.key_id = ""
            row_hash = unkeyed_hash(row, prev_hash)
            raw(
                f"UPDATE {model._meta.db_table} SET key_id = '', prev_hash = %s, "  # noqa: S608
                "row_hash = %s WHERE id = %s",
                [prev_hash, row_hash, row.pk],
            )
            prev_hash, last_id = row_hash, row.pk
        raw(
            "UPDATE audit_chainhead SET last_id = %s, last_hash = %s WHERE chain = %s",
            [last_id, prev_hash, chain],
        )
        heads[chain] = (last_id, prev_hash)
    return heads


def is_unkeyed_chain(model) -> bool:
    prev_hash = GENESIS
    for row in model.objects.order_by("pk"):
        if row.key_id or row.prev_hash != prev_hash or row.row_hash != unkeyed_hash(row, prev_hash):
            return False
        prev_hash = row.row_hash
    return ChainHead.objects.get(chain=model.CHAIN).last_hash == prev_hash


@pytest.fixture
def trail(make_user, audited, write_event, write_access):
    actor = make_user("ops")
    with audited(actor):
        actor.first_name = "Ann"
        actor.save()
        for number in range(3):
            write_event(f"test.event_{number}", target=actor, data={"n": number + 0.0})
            write_access(actor, reason=f"look {number}")
    return actor


def test_rekey__intact_unkeyed_chains__keyed_with_a_checkpoint_and_verified(trail, run_verify):
    unkeyed_heads = make_unkeyed()
    before_ok, before_output = run_verify("--chain", "access")
    counts = {chain: model.objects.count() for chain, model in CHAINED_MODELS.items()}

    run_migration_function(rekey_migration.rekey)

    ok, output = run_verify()
    assert not before_ok and "key id ''" in before_output
    assert ok, output
    checkpoint = AuditEvent.objects.order_by("-id").first()
    assert checkpoint.name == "audit.chain_rekeyed"
    assert checkpoint.data["chains"] == {
        chain: {"rows": counts[chain], "last_id": last_id, "unkeyed_last_hash": last_hash}
        for chain, (last_id, last_hash) in unkeyed_heads.items()
    }
    assert ChainHead.objects.get(chain="events").last_id == checkpoint.pk


def test_rekey__unkeyed_chain_altered__stops_naming_the_row_and_changes_nothing(trail):
    make_unkeyed()
    victim = LogEntry.objects.order_by("id")[1]
    raw("UPDATE audit_logentry SET object_repr = 'forged' WHERE id = %s", [victim.pk])
    stored = {
        chain: list(model.objects.order_by("pk").values_list("key_id", "row_hash"))
        for chain, model in CHAINED_MODELS.items()
    }

    with pytest.raises(rekey_migration.AuditChainBroken) as raised:
        with transaction.atomic():  # the migration's own transaction
            run_migration_function(rekey_migration.rekey)

    assert f"The audit chain 'changes' is broken at row {victim.pk}" in str(raised.value)
    assert "nothing was changed" in str(raised.value)
    assert stored == {
        chain: list(model.objects.order_by("pk").values_list("key_id", "row_hash"))
        for chain, model in CHAINED_MODELS.items()
    }
    assert not AuditEvent.objects.filter(name="audit.chain_rekeyed").exists()


def test_rekey__newest_unkeyed_row_removed__stops_at_the_head(trail):
    make_unkeyed()
    newest = AuditEvent.objects.order_by("-id").first()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [newest.pk])

    with pytest.raises(rekey_migration.AuditChainBroken, match="'events' ends at row"):
        with transaction.atomic():
            run_migration_function(rekey_migration.rekey)


def test_rekey__reversed_then_applied_again__unkeyed_then_keyed(trail, run_verify):
    run_migration_function(rekey_migration.unkey)
    unkeyed = {chain: is_unkeyed_chain(model) for chain, model in CHAINED_MODELS.items()}
    run_migration_function(rekey_migration.rekey)

    ok, output = run_verify()
    assert unkeyed == {"access": True, "changes": True, "events": True}
    assert ok, output
    assert AuditEvent.objects.filter(name="audit.chain_rekeyed").count() == 1


def test_rekey__empty_trail__nothing_to_do_and_no_checkpoint(db, run_verify):
    run_migration_function(rekey_migration.rekey)

    assert not AuditEvent.objects.exists()
    assert run_verify()[0]
