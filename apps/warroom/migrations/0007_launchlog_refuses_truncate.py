"""On PostgreSQL, the war-room log refuses TRUNCATE too, through the shared operation.

The UPDATE/DELETE trigger written by hand in migration 0005 is replaced by
``AppendOnlyTrigger`` (same trigger name), which adds a BEFORE TRUNCATE trigger; reversing
restores migration 0005's trigger.
"""

import importlib

from django.db import migrations

from apps.core.migration_operations import AppendOnlyTrigger

before = importlib.import_module("apps.warroom.migrations.0005_launch_plan")


class Migration(migrations.Migration):
    dependencies = [("warroom", "0006_checklistrun_launch")]

    operations = [
        migrations.RunPython(before.drop_log_trigger, before.create_log_trigger),
        AppendOnlyTrigger(
            table="warroom_launchlogentry",
            name="warroom_launchlogentry_append_only",
            message="the war-room log is append-only",
        ),
    ]
