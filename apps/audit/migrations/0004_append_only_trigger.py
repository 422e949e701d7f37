"""On PostgreSQL, refuse UPDATE and DELETE on the audit tables in the database itself.

No code path of the portal changes an audit row, and the models refuse it too; the
trigger also stops a stray script, a shell session or an ORM bypass (``QuerySet`` internals
used by cascades).

Consequences, intended: a person who appears in the trail cannot be deleted (people are
deactivated, never deleted; the actor foreign keys are PROTECT as well), and a content
type with history cannot be removed.

TRUNCATE is not blocked: the test runner empties tables with it between tests. A
truncated table is still caught by ``manage.py audit_verify``, because the chain head
names a row that no longer exists. Run the portal under a database role without the
TRUNCATE privilege on these tables to close that door in production.

SQLite gets no trigger: pytest-django empties the tables with DELETE between
transactional tests, which a trigger would refuse.
"""

from django.db import migrations

TABLES = ("audit_logentry", "audit_auditevent", "audit_accesslogentry")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
"""

CREATE_TRIGGER = """
CREATE TRIGGER {table}_append_only
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        schema_editor.execute(CREATE_TRIGGER.format(table=table))


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_refuse_change();")


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_chain_heads"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
