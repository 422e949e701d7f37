"""A change is served by another process within a second of its commit (PostgreSQL and
Redis, as in production: the version travels through the shared cache)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from apps.flags import evaluation, services
from tests.flags.conftest import approve

PROBE = Path(__file__).with_name("propagation_probe.py")
pytestmark = [pytest.mark.postgres, pytest.mark.redis]


class Probe:
    """The second process, with its output lines read on a thread."""

    def __init__(self, key: str, context: dict, seconds: float = 60.0):
        db = connection.settings_dict
        env = dict(os.environ)
        env["DATABASE_URL"] = (
            f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
            f":{db['PORT'] or 5432}/{db['NAME']}"
        )
        env.pop("FLAGS_VERSION_SOURCE", None)
        env["PYTHONPATH"] = str(settings.BASE_DIR)
        self.process = subprocess.Popen(
            [sys.executable, str(PROBE), key, json.dumps(context), str(seconds)],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(json.loads(line))

    def next_line(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                return self.lines.get(timeout=0.05)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    pytest.fail(f"the probe process ended ({self.process.returncode})")
        pytest.fail(f"the probe process said nothing within {timeout} s")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(10)


@pytest.fixture
def shared_cache_mode(settings):
    settings.FLAGS_VERSION_SOURCE = "auto"
    assert "RedisCache" in settings.CACHES["default"]["BACKEND"]
    cache.delete(evaluation.VERSION_CACHE_KEY)
    yield
    cache.delete(evaluation.VERSION_CACHE_KEY)


def test_change__seen_by_another_process_within_one_second(
    transactional_db, people, shared_cache_mode
):
    probe = Probe("contribute", {"round": "42"})
    try:
        assert probe.next_line(timeout=60).get("ready")
        assert probe.next_line(timeout=30)["allowed"] is True

        committed = time.time()
        services.flag_state_set(
            actor=people["ops"],
            flag="contribute",
            state="blocked",
            scope_kind="round",
            scope_value="42",
            reason="Propagation test",
        )  # autocommit: committed (and the version published) when this returns
        seen = probe.next_line(timeout=5)
        assert seen["allowed"] is False
        sys.stderr.write(f"block seen by the other process after {seen['t'] - committed:.3f} s\n")
        assert seen["t"] - committed < 1.0
        assert seen["version"] == evaluation.current_version()

        filed = services.flag_state_set(
            actor=people["ops"],
            flag="contribute",
            state="allowed",
            scope_kind="round",
            scope_value="42",
            reason="Fixed",
        )
        committed = time.time()
        approve(filed.change_request, people["admin"])
        seen = probe.next_line(timeout=5)
        assert seen["allowed"] is True
        sys.stderr.write(f"approval seen after {seen['t'] - committed:.3f} s (incl. OTP check)\n")
        assert seen["t"] - committed < 1.0
    finally:
        probe.stop()
