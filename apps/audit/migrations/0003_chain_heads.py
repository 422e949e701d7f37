"""Create the three chain heads at genesis.

Made here, not on first use, so two first writers cannot race to create them. (Code
still creates a missing head: the test runner's flush empties every table.)
"""

from django.db import migrations

GENESIS = "0" * 64
CHAINS = ("access", "changes", "events")


def create_heads(apps, schema_editor):
    ChainHead = apps.get_model("audit", "ChainHead")
    db = schema_editor.connection.alias
    for chain in CHAINS:
        ChainHead.objects.using(db).get_or_create(
            chain=chain, defaults={"last_hash": GENESIS, "last_id": 0}
        )


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_protect_history"),
    ]

    operations = [
        migrations.RunPython(create_heads, migrations.RunPython.noop),
    ]
