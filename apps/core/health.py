"""Readiness checks: the database, the cache and the broker, each timed.

Nothing here reports versions, settings, host names or error texts: a check is ok or
not, with how long it took.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from apps.core.logging import get_logger

log = get_logger(__name__)


def _timed(check: Callable[[], None]) -> dict:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        log.warning("health.check_failed", check=check.__name__, error=type(exc).__name__)
        return {"ok": False, "ms": round((time.perf_counter() - started) * 1000, 2)}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}


def database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def cache_roundtrip() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value written")
    cache.delete(key)


def broker() -> None:
    url = str(settings.CELERY_BROKER_URL)
    if url.startswith("filesystem://"):
        folder = settings.CELERY_QUEUE_DIR
        if not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
            raise RuntimeError("queue folder missing or read-only")
        return
    from opsportal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS: dict[str, Callable[[], None]] = {
    "database": database,
    "cache": cache_roundtrip,
    "broker": broker,
}


def readiness() -> tuple[bool, dict]:
    results = {name: _timed(check) for name, check in CHECKS.items()}
    return all(r["ok"] for r in results.values()), results
