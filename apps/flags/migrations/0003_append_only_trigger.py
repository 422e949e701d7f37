"""On PostgreSQL, refuse UPDATE and DELETE of flag states in the database itself.

The model and its queryset refuse them too; the trigger also stops a shell session or a
stray script. TRUNCATE stays possible (the test runner empties tables with it). SQLite
gets no trigger: pytest-django empties tables there with DELETE.
"""

from django.db import migrations

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION flags_refuse_state_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'flag states are append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
"""

CREATE_TRIGGER = """
CREATE TRIGGER flags_flagstate_append_only
BEFORE UPDATE OR DELETE ON flags_flagstate
FOR EACH ROW EXECUTE FUNCTION flags_refuse_state_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, params=None)
    schema_editor.execute("DROP TRIGGER IF EXISTS flags_flagstate_append_only ON flags_flagstate;")
    schema_editor.execute(CREATE_TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS flags_flagstate_append_only ON flags_flagstate;")
    schema_editor.execute("DROP FUNCTION IF EXISTS flags_refuse_state_change();")


class Migration(migrations.Migration):
    dependencies = [("flags", "0002_runbook_flags")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
