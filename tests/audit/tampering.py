"""What an intruder with database access does, for tests that prove it is caught.

``tamper_allowed()`` switches the triggers off the way only a superuser or the tables'
owner can (PostgreSQL replica mode; the test database user is a superuser). On SQLite
there are no triggers to switch off.
"""

from __future__ import annotations

import hashlib
import hmac
from contextlib import contextmanager

from django.conf import settings
from django.db import connection


@contextmanager
def tamper_allowed():
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # TRUNCATE and ALTER TABLE refuse while deferred foreign-key checks are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = origin")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def raw(sql: str, params: list | None = None) -> None:
    """Run SQL with the triggers off."""
    with tamper_allowed(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def keyed_hash(payload: str, key: str | None = None) -> str:
    """The documented row hash: HMAC-SHA256 of ``payload`` with the chain key."""
    secret = (key or settings.AUDIT_CHAIN_KEY).encode()
    return hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()
