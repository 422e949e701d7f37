"""Readiness checks: the database, the cache and the broker, each timed.

Nothing here reports versions, settings, host names or error texts: a check is ok or
not, with how long it took. Each check is bounded in time so a dead dependency makes the
answer 503, never a hanging request.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from apps.core.logging import get_logger

log = get_logger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def _timed(name: str, check: Callable[[], None]) -> dict:
    started = time.perf_counter()
    try:
        check()
        ok = True
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        # The exception's type only: its text may carry host names or credentials.
        log.warning("health.check_failed", check=name, error=type(exc).__name__)
        ok = False
    return {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 2)}


def database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("database answered something other than 1")


def cache_roundtrip() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value written")
    cache.delete(key)


def broker() -> None:
    from opsportal.celery import app

    url = str(settings.CELERY_BROKER_URL)
    if url.startswith("filesystem://"):
        # Reading the transport options configures the app, which creates the folder.
        folder = app.conf.broker_transport_options["data_folder_in"]
        # The worker only reads files named *.msg, so this probe is never taken for a task.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".health-", suffix=".probe"):
            pass
        return
    with app.connection_for_write(url=url) as conn:
        conn.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
        )


CHECKS: dict[str, Callable[[], None]] = {
    "database": database,
    "cache": cache_roundtrip,
    "broker": broker,
}


def readiness() -> tuple[bool, dict]:
    """Run every check; return (all ok, {name: {"ok": bool, "ms": float}})."""
    results = {name: _timed(name, check) for name, check in CHECKS.items()}
    return all(r["ok"] for r in results.values()), results
