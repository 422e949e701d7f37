"""On PostgreSQL, flag states refuse TRUNCATE too, through the shared operation.

The UPDATE/DELETE trigger written by hand in migration 0003 is replaced by
``AppendOnlyTrigger`` (same trigger name), which adds a BEFORE TRUNCATE trigger; reversing
restores migration 0003's trigger.
"""

import importlib

from django.db import migrations

from apps.core.migration_operations import AppendOnlyTrigger

before = importlib.import_module("apps.flags.migrations.0003_append_only_trigger")


class Migration(migrations.Migration):
    dependencies = [("flags", "0003_append_only_trigger")]

    operations = [
        migrations.RunPython(before.drop_trigger, before.create_trigger),
        AppendOnlyTrigger(
            table="flags_flagstate",
            name="flags_flagstate_append_only",
            message="flag states are append-only",
        ),
    ]
