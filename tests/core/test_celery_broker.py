"""The embedded broker keeps its files under var/, and production's broker settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

SCRIPT = """
import django
django.setup()
from opsportal.celery import app
app.send_task("notify.outbox_sweep_task")
app.control.broadcast("ping", reply=False)
print("sent", app.conf.broker_transport_options["control_folder"])
"""


def test_filesystem_broker__task_and_broadcast_sent__every_file_under_var(tmp_path):
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    var = tmp_path / "var"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "OPSPORTAL_ENV"}
    }
    env.update(
        OPSPORTAL_VAR_DIR=str(var),
        PYTHONPATH=str(settings.BASE_DIR),
        DJANGO_SETTINGS_MODULE="opsportal.settings",
    )

    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", SCRIPT],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert list(workdir.iterdir()) == []  # kombu's default `control/` was the cwd
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert written and all(var in path.parents for path in written)
    control = var / "celery" / "control"
    assert f"sent {control}" in result.stdout
    assert "celery.exchange" in {p.name for p in control.iterdir()}
    assert not (Path(settings.BASE_DIR) / "control").exists()


def test_redis_broker_settings__visibility_timeout_and_eta_bound():
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS

    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert options["visibility_timeout"] == settings.CELERY_VISIBILITY_TIMEOUT
    # No task waits in the broker longer than a worker may hold it unacknowledged.
    assert settings.CELERY_MAX_ETA_SECONDS < options["visibility_timeout"]
    assert options["unacked_restore_interval"] <= options["visibility_timeout"]
