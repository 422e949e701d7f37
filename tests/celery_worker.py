"""A real Celery worker for tests; a pytest plugin: ``pytest_plugins = ["tests.celery_worker"]``.

``celery_worker`` starts opsportal's Celery app in a worker thread (solo pool), so
``.delay()`` and ``transaction.on_commit`` hooks run for real: retries with countdowns,
the sweeper, time limits. It needs committed data, so it brings ``transactional_db``.
Mark such tests ``@pytest.mark.celery_worker``.

The broker is production's when there is one: with ``CELERY_BROKER_URL`` or ``REDIS_URL``
pointing at a Redis that answers (CI's PostgreSQL pass), the worker runs on Redis, under a
key prefix of its own per test, so parallel runs sharing a database never see each
other's messages; otherwise on the in-process ``memory://`` broker. ``celery_broker``
configures the app alone. ``worker_processes`` starts ``celery worker`` processes on the
Redis broker and the PostgreSQL test database, so a test can SIGKILL one mid-task (it
skips elsewhere); ``lock_waiters()`` tells when a worker is blocked on a row the test
holds.

The app's broker settings are restored afterwards. With SQLite's in-memory test database
the worker thread shares the test's connection (as Django's live-server tests do), since
a second connection to a shared in-memory database fails with "table is locked"; on
PostgreSQL the worker uses its own connection.

``wait_until(predicate, timeout=...)`` polls for an outcome without timing assertions.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun, task_prerun
from django.conf import settings as django_settings
from django.db import connection, connections
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


# Tasks the worker thread is running now: with SQLite's in-memory database the worker and
# the test share one connection, so a test writes only while this is zero (``worker_idle``).
_running_tasks = [0]
_running_lock = threading.Lock()


def _task_started(**kwargs) -> None:
    with _running_lock:
        _running_tasks[0] += 1


def _task_finished(**kwargs) -> None:
    with _running_lock:
        _running_tasks[0] -= 1


def worker_idle() -> bool:
    """No task is running in the test's worker thread (its transaction, if any, is over)."""
    with _running_lock:
        return _running_tasks[0] == 0


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


# Short Redis timeouts for tests: a task a killed worker held comes back within seconds.
TEST_VISIBILITY_TIMEOUT = 30
WORKER_PROCESS_VISIBILITY_TIMEOUT = 4
REDIS_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Broker:
    """The broker the test's Celery app uses, and how a worker process reaches it."""

    url: str
    transport_options: dict = field(default_factory=dict)
    key_prefix: str = ""

    @property
    def is_redis(self) -> bool:
        return self.url.startswith(("redis://", "rediss://"))

    def worker_env(self, *, visibility_timeout: int) -> dict[str, str]:
        """Environment for a ``celery worker`` process on this broker (see settings)."""
        return {
            "CELERY_BROKER_URL": self.url,
            "CELERY_BROKER_KEY_PREFIX": self.key_prefix,
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
        }


def _redis_broker_url() -> str | None:
    """Production's broker for this run, if it is a Redis that answers."""
    url = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
    if not url or not url.startswith(("redis://", "rediss://")):
        return None
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("OPSPORTAL_REQUIRE_SERVICES") == "1":
            pytest.fail(f"OPSPORTAL_REQUIRE_SERVICES=1 but the Redis broker does not answer: {exc}")
        return None
    return url


def _drop_keys(broker: Broker) -> None:
    import redis

    client = redis.Redis.from_url(broker.url, socket_connect_timeout=2)
    keys = list(client.scan_iter(match=f"{broker.key_prefix}*", count=500))
    if keys:
        client.delete(*keys)
    client.close()


# A worker on the in-memory broker waits for messages in slices of this many seconds (Celery's
# loop asks for 2 s) and looks at its stop flag between slices: stopping one then takes a
# fraction of a second instead of two full slices (about 4 s a test). Messages are
# delivered as soon as they arrive either way.
MEMORY_DRAIN_SLICE = 0.1


def _drain_in_short_slices(monkeypatch) -> None:
    from kombu.transport import memory

    drain_events = memory.Transport.drain_events

    def drain_in_slices(self, connection, timeout=None):
        if timeout is None or timeout > MEMORY_DRAIN_SLICE:
            timeout = MEMORY_DRAIN_SLICE
        return drain_events(self, connection, timeout=timeout)

    monkeypatch.setattr(memory.Transport, "drain_events", drain_in_slices)


@pytest.fixture
def celery_broker(settings, monkeypatch):
    """Point opsportal's Celery app at the test broker (Redis when there is one)."""
    url = _redis_broker_url()
    if url is not None:
        prefix = f"opsportal-test:{os.getpid()}:{uuid.uuid4().hex[:12]}:"
        broker = Broker(
            url=url,
            key_prefix=prefix,
            transport_options={
                "global_keyprefix": prefix,
                "visibility_timeout": TEST_VISIBILITY_TIMEOUT,
                "unacked_restore_interval": 1,
                "unacked_restore_throttle": 1,
                # The worker's BRPOP waits this long (kombu's default: 1 s) and stopping
                # the worker waits for it to return.
                "polling_interval": REDIS_POLL_SECONDS,
            },
        )
        # Queue nothing further ahead than the broker holds an unacknowledged task.
        settings.CELERY_MAX_ETA_SECONDS = TEST_VISIBILITY_TIMEOUT // 2
    else:
        broker = Broker(url="memory://", transport_options={"polling_interval": 0.1})
        _drain_in_short_slices(monkeypatch)
    conf = celery_app.conf
    saved = {key: conf.get(key) for key in _SAVED_KEYS}
    conf.update(
        broker_url=broker.url,
        broker_read_url=None,
        broker_write_url=None,
        broker_transport_options=broker.transport_options,
        task_always_eager=False,
        worker_hijack_root_logger=False,
    )
    _reset_connection_pools(celery_app)
    _purge(celery_app)
    try:
        yield broker
    finally:
        _purge(celery_app)
        _reset_connection_pools(celery_app)
        if broker.is_redis:
            _drop_keys(broker)
        conf.update(saved)
        _reset_connection_pools(celery_app)


@pytest.fixture
def celery_worker(transactional_db, celery_broker):
    """A running Celery worker thread on the test broker; yields the worker."""
    undo_sharing = _share_in_memory_sqlite()
    _running_tasks[0] = 0
    task_prerun.connect(_task_started, weak=False, dispatch_uid="tests.task_started")
    task_postrun.connect(_task_finished, weak=False, dispatch_uid="tests.task_finished")
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
        task_prerun.disconnect(dispatch_uid="tests.task_started")
        task_postrun.disconnect(dispatch_uid="tests.task_finished")
        if undo_sharing is not None:
            undo_sharing()


# --- worker processes (killed and restarted) ------------------------------------------------


class WorkerProcess:
    """``celery -A opsportal worker`` in a process of its own, on the test broker and the
    test database, so a test can kill it with SIGKILL like the OOM killer would."""

    def __init__(self, *, name: str, env: dict[str, str], log_path: Path, cwd: Path):
        self.name, self.log_path = name, log_path
        with log_path.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and app
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "opsportal",
                    "worker",
                    "--pool",
                    "solo",
                    "--concurrency",
                    "1",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                    "--loglevel",
                    "INFO",
                    "--hostname",
                    f"{name}@localhost",
                ],
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def wait_ready(self, timeout: float = 90.0) -> None:
        def ready():
            if self.process.poll() is not None:
                pytest.fail(f"worker {self.name} exited:\n{self.log}")
            return " ready." in self.log

        wait_until(ready, timeout=timeout)

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, nothing acknowledged or handed back."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def _test_database_url() -> str:
    params = connection.settings_dict
    user = quote(params["USER"] or "postgres")
    if params.get("PASSWORD"):
        user += ":" + quote(params["PASSWORD"])
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or "5432"
    return f"postgresql://{user}@{host}:{port}/{params['NAME']}"


@pytest.fixture
def worker_processes(transactional_db, celery_broker, tmp_path):
    """``start(**env)`` -> a ready ``WorkerProcess`` on the test's Redis broker and its
    PostgreSQL test database (committed data). Every one is stopped at the end."""
    if connection.vendor != "postgresql" or not celery_broker.is_redis:
        pytest.skip("worker processes need the PostgreSQL test database and a Redis broker")
    started: list[WorkerProcess] = []
    base_env = {
        **os.environ,
        "PYTHONPATH": str(django_settings.BASE_DIR),
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": _test_database_url(),
        "DB_CONN_MAX_AGE": "0",
        "OPSPORTAL_VAR_DIR": str(tmp_path / "var"),
        # Loopback receivers are the outside world here.
        "NOTIFY_ALLOWED_HOSTS": "127.0.0.1",
        **celery_broker.worker_env(visibility_timeout=WORKER_PROCESS_VISIBILITY_TIMEOUT),
    }

    def start(**env: str) -> WorkerProcess:
        name = f"worker{len(started) + 1}-{uuid.uuid4().hex[:6]}"
        worker = WorkerProcess(
            name=name,
            env={**base_env, **env},
            log_path=tmp_path / f"{name}.log",
            cwd=tmp_path,
        )
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()


def lock_waiters() -> int:
    """How many sessions of the test database wait for a row lock (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE NOT l.granted AND a.datname = current_database()"
        )
        return cursor.fetchone()[0]


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
