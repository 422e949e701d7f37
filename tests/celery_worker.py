"""A real Celery worker for tests; a pytest plugin: ``pytest_plugins = ["tests.celery_worker"]``.

``celery_worker`` starts opsportal's Celery app in a worker thread (solo pool) on the
in-process ``memory://`` broker, so ``.delay()`` and ``transaction.on_commit`` hooks run
for real: retries with countdowns, the sweeper, time limits. It needs committed data,
so it brings ``transactional_db``. Mark such tests ``@pytest.mark.celery_worker``.

The app's broker settings are restored afterwards. With SQLite's in-memory test database
the worker thread shares the test's connection (as Django's live-server tests do), since
a second connection to a shared in-memory database fails with "table is locked"; on
PostgreSQL the worker uses its own connection.

``wait_until(predicate, timeout=...)`` polls for an outcome without timing assertions.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_prerun
from django.db import connections
from kombu import pools as kombu_pools

from opsportal.celery import app as celery_app

_SAVED_KEYS = (
    "broker_url",
    "broker_read_url",
    "broker_write_url",
    "broker_transport_options",
    "task_always_eager",
    "worker_hijack_root_logger",
)
QUEUE = "celery"


def _reset_connection_pools(app) -> None:
    # kombu keeps pools in global registries keyed by connection: closing one pool without
    # clearing them would hand the closed pool back on the next use.
    kombu_pools.reset()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def _purge(app) -> None:
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        channel.queue_declare(QUEUE, passive=False, durable=True, auto_delete=False)
        channel.queue_purge(QUEUE)


def _share_in_memory_sqlite():
    """Let the worker thread use the test's connection when the test DB is in memory."""
    shared = {
        alias: connections[alias]
        for alias in connections
        if connections[alias].vendor == "sqlite" and connections[alias].is_in_memory_db()
    }
    if not shared:
        return None
    main_thread = threading.get_ident()
    for conn in shared.values():
        conn.inc_thread_sharing()

    def use_shared_connection(**kwargs):
        if threading.get_ident() == main_thread:
            return
        for alias, conn in shared.items():
            connections[alias] = conn

    task_prerun.connect(use_shared_connection, weak=False, dispatch_uid="tests.shared_sqlite")

    def undo():
        task_prerun.disconnect(dispatch_uid="tests.shared_sqlite")
        for conn in shared.values():
            conn.dec_thread_sharing()

    return undo


@pytest.fixture
def celery_worker(transactional_db):
    """A running Celery worker thread on the memory broker; yields the worker."""
    conf = celery_app.conf
    saved = {key: conf.get(key) for key in _SAVED_KEYS}
    conf.update(
        broker_url="memory://",
        broker_read_url=None,
        broker_write_url=None,
        broker_transport_options={"polling_interval": 0.1},
        task_always_eager=False,
        worker_hijack_root_logger=False,
    )
    _reset_connection_pools(celery_app)
    _purge(celery_app)
    undo_sharing = _share_in_memory_sqlite()
    try:
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=10,
            loglevel="WARNING",
        ) as worker:
            yield worker
    finally:
        if undo_sharing is not None:
            undo_sharing()
        _purge(celery_app)
        _reset_connection_pools(celery_app)
        conf.update(saved)
        _reset_connection_pools(celery_app)


def wait_until(predicate: Callable[[], object], *, timeout: float = 30.0, interval: float = 0.1):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(interval)
