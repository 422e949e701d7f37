"""Search indexes of the support read models.

PostgreSQL: the pg_trgm extension and trigram (GIN) indexes for partial email, handle and
name search; ``varchar_pattern_ops`` B-trees on wallet addresses and transaction hashes,
which answer both exact look-ups across networks and prefix (``LIKE 'abc%'``) search; a
partial index of pending transactions by age (stuck transactions). Other databases (the
SQLite demo) get plain B-trees on the same columns; their search falls back to plain
comparisons with a LIMIT.
"""

from django.db import migrations

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS support_cust_email_trgm ON support_customer "
    "USING gin (email_norm gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS support_cust_handle_trgm ON support_customer "
    "USING gin (handle_norm gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS support_cust_name_trgm ON support_customer "
    "USING gin (name_norm gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS support_wallet_address_pattern ON support_wallet "
    "(address_norm varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS support_tx_hash_pattern ON support_transaction "
    "(tx_hash varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS support_tx_pending_age ON support_transaction "
    "(submitted_at) WHERE status = 'pending'",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS support_cust_email_trgm",
    "DROP INDEX IF EXISTS support_cust_handle_trgm",
    "DROP INDEX IF EXISTS support_cust_name_trgm",
    "DROP INDEX IF EXISTS support_wallet_address_pattern",
    "DROP INDEX IF EXISTS support_tx_hash_pattern",
    "DROP INDEX IF EXISTS support_tx_pending_age",
]
OTHER_UP = [
    "CREATE INDEX IF NOT EXISTS support_wallet_address_pattern ON support_wallet (address_norm)",
    "CREATE INDEX IF NOT EXISTS support_tx_hash_pattern ON support_transaction (tx_hash)",
    "CREATE INDEX IF NOT EXISTS support_tx_pending_age ON support_transaction "
    "(submitted_at) WHERE status = 'pending'",
]
OTHER_DOWN = [
    "DROP INDEX IF EXISTS support_wallet_address_pattern",
    "DROP INDEX IF EXISTS support_tx_hash_pattern",
    "DROP INDEX IF EXISTS support_tx_pending_age",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        postgres, other = statements_by_vendor
        statements = postgres if schema_editor.connection.vendor == "postgresql" else other
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("support", "0001_read_models_and_replies")]

    operations = [
        migrations.RunPython(
            _run((POSTGRES_UP, OTHER_UP)), _run((POSTGRES_DOWN, OTHER_DOWN)), elidable=False
        ),
    ]
