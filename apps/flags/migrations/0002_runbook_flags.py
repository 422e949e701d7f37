"""The runbook's switches: see apps.flags.runbook (also re-run after every migrate)."""

from django.db import migrations

from apps.flags.runbook import ensure_runbook_flags


def create_flags(apps, schema_editor):
    ensure_runbook_flags(apps.get_model("flags", "Flag"))


class Migration(migrations.Migration):
    dependencies = [("flags", "0001_initial")]

    operations = [migrations.RunPython(create_flags, migrations.RunPython.noop)]
