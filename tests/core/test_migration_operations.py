"""``AppendOnlyTrigger``: one migration operation that makes a table append-only."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.writer import OperationWriter

from apps.core.migration_operations import AppendOnlyTrigger

pytestmark = pytest.mark.django_db

TABLE = "core_appendonly_probe"


def operation() -> AppendOnlyTrigger:
    return AppendOnlyTrigger(
        table=TABLE, name=f"{TABLE}_append_only", message="probe rows are append-only"
    )


def run(statement: str, params=None):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.rowcount


@pytest.fixture
def probe_table(db):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, note text)")
        cursor.execute(f"INSERT INTO {TABLE} VALUES (1, 'first'), (2, 'second')")
    return TABLE


@pytest.mark.postgres
def test_append_only_trigger__applied__update_delete_truncate_refused_insert_allowed(probe_table):
    editor = connection.schema_editor(atomic=False)
    operation().database_forwards("core", editor, None, None)

    for statement in (
        f"UPDATE {TABLE} SET note = 'changed'",
        f"DELETE FROM {TABLE} WHERE id = 1",
        f"TRUNCATE {TABLE}",
    ):
        with pytest.raises(DatabaseError, match="probe rows are append-only") as raised:
            run(statement)
        assert f"on {TABLE} is refused" in str(raised.value)
    run(f"INSERT INTO {TABLE} VALUES (3, 'third')")

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, note FROM {TABLE} ORDER BY id")  # noqa: S608
        assert cursor.fetchall() == [(1, "first"), (2, "second"), (3, "third")]


@pytest.mark.postgres
def test_append_only_trigger__reversed__table_writable_again(probe_table):
    editor = connection.schema_editor(atomic=False)
    operation().database_forwards("core", editor, None, None)
    operation().database_backwards("core", editor, None, None)

    assert run(f"UPDATE {TABLE} SET note = 'changed'") == 2
    assert run(f"DELETE FROM {TABLE} WHERE id = 1") == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_proc WHERE proname = %s", [f"{TABLE}_append_only_refuse"]
        )
        assert cursor.fetchone()[0] == 0


def test_append_only_trigger__sqlite__does_nothing(probe_table):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite default")
    collecting = connection.schema_editor(collect_sql=True, atomic=False)
    operation().database_forwards("core", collecting, None, None)
    operation().database_forwards("core", connection.schema_editor(atomic=False), None, None)

    assert collecting.collected_sql == []
    assert run(f"DELETE FROM {TABLE} WHERE id = 1") == 1


def test_append_only_trigger__in_a_migration_file__written_back_as_given():
    text, imports = OperationWriter(operation(), indentation=0).serialize()

    assert "apps.core.migration_operations.AppendOnlyTrigger(" in text
    assert f"table='{TABLE}'" in text
    assert "message='probe rows are append-only'" in text
    assert "import apps.core.migration_operations" in imports


@pytest.mark.parametrize(
    "kwargs",
    [
        {"table": "Bad-Name", "name": "ok_name"},
        {"table": "ok_table", "name": "x; DROP TABLE users"},
        {"table": "ok_table", "name": "ok_name", "message": "100% sure"},
        {"table": "ok_table", "name": "ok_name", "message": "$$ break out"},
    ],
)
def test_append_only_trigger__unsafe_names_or_message__refused(kwargs):
    with pytest.raises(ValueError, match="AppendOnlyTrigger"):
        AppendOnlyTrigger(**kwargs)
