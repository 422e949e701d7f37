"""Migration operations shared by the apps.

``AppendOnlyTrigger`` makes a table append-only in PostgreSQL itself: rows can be
inserted and read, and every UPDATE, DELETE and TRUNCATE is refused with an
``integrity_constraint_violation`` (Django raises ``IntegrityError``) whose message says
"<message>: <operation> on <table> is refused". Use it in the migration that creates an
append-only table (audit rows, flag states, the war-room log, incident timeline entries,
evidence), after the table exists::

    from apps.core.migration_operations import AppendOnlyTrigger

    operations = [
        migrations.CreateModel(name="TimelineEntry", ...),
        AppendOnlyTrigger(
            table="incidents_timelineentry",
            name="incidents_timelineentry_append_only",
            message="incident timelines are append-only",
        ),
    ]

On PostgreSQL it creates the function ``<name>_refuse()``, the row trigger ``<name>``
(BEFORE UPDATE OR DELETE) and the statement trigger ``<name>_truncate`` (BEFORE
TRUNCATE); running it again replaces them. Reversing it drops all three. On other
databases (the SQLite default) it does nothing: the model and its queryset refuse the
changes there (``apps.core.models.AppendOnlyQuerySet``).

The owner of the table, or a superuser, can still switch triggers off (``ALTER TABLE …
DISABLE TRIGGER``, ``session_replication_role``): the triggers stop every ordinary path
(the application, a shell session, a stray script, ``manage.py flush``), not the owner.
The test suite empties tables between transactional tests as a superuser in replica
mode for that reason (``tests/conftest.py``).

To move a table whose older migration wrote its trigger by hand onto this operation, run
that migration's drop function first and keep its create function as the reverse, e.g.
``migrations.RunPython(old.drop_trigger, old.create_trigger)`` followed by
``AppendOnlyTrigger(...)`` (see ``apps/flags/migrations`` for an example).
"""

from __future__ import annotations

import re

from django.db import router
from django.db.migrations.operations.base import Operation, OperationCategory

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,49}$")


class AppendOnlyTrigger(Operation):
    """Refuse UPDATE, DELETE and TRUNCATE on ``table`` (PostgreSQL; no-op elsewhere)."""

    reversible = True
    reduces_to_sql = True
    category = OperationCategory.SQL

    def __init__(self, *, table: str, name: str, message: str = "", hints=None):
        for label, value in (("table", table), ("name", name)):
            if not _IDENTIFIER.match(value):
                raise ValueError(
                    f"AppendOnlyTrigger {label} must be a lowercase SQL identifier of at most "
                    f"50 characters, not {value!r}."
                )
        if any(character in message for character in "%$\\"):
            raise ValueError("AppendOnlyTrigger message may not contain %, $ or a backslash.")
        self.table = table
        self.name = name
        self.message = message or f"{table} rows are append-only"
        self.hints = hints or {}

    def deconstruct(self):
        kwargs = {"table": self.table, "name": self.name}
        if self.message != f"{self.table} rows are append-only":
            kwargs["message"] = self.message
        if self.hints:
            kwargs["hints"] = self.hints
        return (f"{__name__}.{type(self).__name__}", [], kwargs)

    def state_forwards(self, app_label, state):
        pass  # triggers are not part of Django's model state

    def describe(self) -> str:
        return f"Refuse UPDATE, DELETE and TRUNCATE on {self.table}"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.table}_append_only"

    @property
    def function(self) -> str:
        return f"{self.name}_refuse"

    def _applies(self, schema_editor, app_label) -> bool:
        return schema_editor.connection.vendor == "postgresql" and router.allow_migrate(
            schema_editor.connection.alias, app_label, **self.hints
        )

    def forwards_sql(self) -> list[str]:
        # The text goes into a string literal inside a dollar-quoted body (hence no % or $).
        literal = self.message.replace("'", "''")
        return [
            f"""
CREATE OR REPLACE FUNCTION {self.function}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{literal}: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
""",
            f"DROP TRIGGER IF EXISTS {self.name} ON {self.table};",
            f"CREATE TRIGGER {self.name} BEFORE UPDATE OR DELETE ON {self.table} "
            f"FOR EACH ROW EXECUTE FUNCTION {self.function}();",
            f"DROP TRIGGER IF EXISTS {self.name}_truncate ON {self.table};",
            f"CREATE TRIGGER {self.name}_truncate BEFORE TRUNCATE ON {self.table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {self.function}();",
        ]

    def backwards_sql(self) -> list[str]:
        return [
            f"DROP TRIGGER IF EXISTS {self.name}_truncate ON {self.table};",
            f"DROP TRIGGER IF EXISTS {self.name} ON {self.table};",
            f"DROP FUNCTION IF EXISTS {self.function}();",
        ]

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if self._applies(schema_editor, app_label):
            for statement in self.forwards_sql():
                schema_editor.execute(statement, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if self._applies(schema_editor, app_label):
            for statement in self.backwards_sql():
                schema_editor.execute(statement, params=None)
