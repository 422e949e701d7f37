"""On PostgreSQL, make the audit chains tail-proof in the database itself.

* The audit tables refuse UPDATE, DELETE and TRUNCATE (``AppendOnlyTrigger``; it replaces
  the UPDATE/DELETE triggers of migration 0004, which are restored when reversing).
* A new audit row must link to its chain head: its ``prev_hash`` is the head's
  ``last_hash``, so no row is appended around the head's lock.
* A chain head only moves forward: one row at a time, to the newest row of its chain,
  naming that row's hash; it cannot be deleted or truncated, and a new head starts at
  genesis on an empty chain only.

Deleting the last rows and rewinding the head, or truncating a table and resetting its
head, is then refused unless the triggers are switched off by the tables' owner or a
superuser; anchors kept outside the database (``audit_verify --anchor``) catch that.
SQLite gets no trigger (see ``apps.core.migration_operations``).
"""

import importlib

from django.db import migrations

from apps.core.migration_operations import AppendOnlyTrigger

before = importlib.import_module("apps.audit.migrations.0004_append_only_trigger")

TABLES = {
    "access": "audit_accesslogentry",
    "changes": "audit_logentry",
    "events": "audit_auditevent",
}

HEAD_GUARD = """
CREATE OR REPLACE FUNCTION audit_chainhead_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    chained regclass;
    newest_id bigint;
    newest_prev text;
    newest_hash text;
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
        RAISE EXCEPTION 'audit chain heads only move forward: % on % is refused',
            TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    chained := CASE NEW.chain
        WHEN 'access' THEN 'audit_accesslogentry'::regclass
        WHEN 'changes' THEN 'audit_logentry'::regclass
        WHEN 'events' THEN 'audit_auditevent'::regclass
    END;
    IF chained IS NULL THEN
        RAISE EXCEPTION 'there is no audit chain named %', NEW.chain
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    EXECUTE format('SELECT id, prev_hash, row_hash FROM %s ORDER BY id DESC LIMIT 1', chained)
        INTO newest_id, newest_prev, newest_hash;
    IF TG_OP = 'INSERT' THEN
        IF NEW.last_id <> 0 OR NEW.last_hash <> repeat('0', 64) OR newest_id IS NOT NULL THEN
            RAISE EXCEPTION 'a new audit chain head starts at genesis on an empty chain (%)',
                NEW.chain USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.chain <> OLD.chain THEN
        RAISE EXCEPTION 'an audit chain head cannot change its chain'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.last_id = OLD.last_id AND NEW.last_hash = OLD.last_hash THEN
        RETURN NEW;
    END IF;
    IF NEW.last_id <= OLD.last_id THEN
        RAISE EXCEPTION 'audit chain heads only move forward: the % head cannot go from row % to row %',
            NEW.chain, OLD.last_id, NEW.last_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF newest_id IS DISTINCT FROM NEW.last_id
        OR newest_hash IS DISTINCT FROM NEW.last_hash
        OR newest_prev IS DISTINCT FROM OLD.last_hash THEN
        RAISE EXCEPTION 'the % head moves only forward, one row at a time, to the newest row of its chain and that row''s hash',
            NEW.chain USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
"""

LINK_GUARD = """
CREATE OR REPLACE FUNCTION audit_chain_link_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    head_hash text;
BEGIN
    SELECT last_hash INTO head_hash FROM audit_chainhead WHERE chain = TG_ARGV[0];
    IF head_hash IS NULL OR NEW.prev_hash IS DISTINCT FROM head_hash THEN
        RAISE EXCEPTION 'audit rows are appended through their chain head: the new % row does not link to it',
            TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
"""


def create_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(HEAD_GUARD, params=None)
    schema_editor.execute("DROP TRIGGER IF EXISTS audit_chainhead_guard ON audit_chainhead;")
    schema_editor.execute(
        "CREATE TRIGGER audit_chainhead_guard BEFORE INSERT OR UPDATE OR DELETE "
        "ON audit_chainhead FOR EACH ROW EXECUTE FUNCTION audit_chainhead_guard();"
    )
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS audit_chainhead_guard_truncate ON audit_chainhead;"
    )
    schema_editor.execute(
        "CREATE TRIGGER audit_chainhead_guard_truncate BEFORE TRUNCATE ON audit_chainhead "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_chainhead_guard();"
    )
    schema_editor.execute(LINK_GUARD, params=None)
    for chain, table in TABLES.items():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_links_head ON {table};")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_links_head BEFORE INSERT ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION audit_chain_link_guard('{chain}');"
        )


def drop_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES.values():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_links_head ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_chain_link_guard();")
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS audit_chainhead_guard_truncate ON audit_chainhead;"
    )
    schema_editor.execute("DROP TRIGGER IF EXISTS audit_chainhead_guard ON audit_chainhead;")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_chainhead_guard();")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_chain_rekeyed"),
    ]

    operations = [
        migrations.RunPython(before.drop_triggers, before.create_triggers),
        *(
            AppendOnlyTrigger(
                table=table, name=f"{table}_append_only", message="audit rows are append-only"
            )
            for table in TABLES.values()
        ),
        migrations.RunPython(create_guards, drop_guards),
    ]
