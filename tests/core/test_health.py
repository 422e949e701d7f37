"""/health (liveness) and /health/readiness (database, cache, broker)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import django
import pytest
from django.conf import settings
from django.test import override_settings

# Nothing listens on port 1 of the loopback: connections to it are refused at once.
CLOSED_REDIS = "redis://127.0.0.1:1/0"
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CLOSED_REDIS,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}


def assert_reveals_nothing(body: str) -> None:
    for secret in (settings.SECRET_KEY, settings.FIELD_ENCRYPTION_KEY):
        assert secret not in body
    for word in ("DATABASE_URL", "SECRET", "127.0.0.1", "redis://", "version", "Error", "refused"):
        assert word.lower() not in body.lower()
    assert django.get_version() not in body
    assert sys.version.split()[0] not in body


def test_health__any_caller__only_status_ok(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert_reveals_nothing(response.content.decode())
    assert "no-cache" in response["Cache-Control"]


def test_health__post__not_allowed(client):
    assert client.post("/health").status_code == 405


@pytest.mark.django_db
def test_readiness__everything_up__200_with_each_check_timed(client):
    response = client.get("/health/readiness")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    for check in body["checks"].values():
        assert check["ok"] is True
        assert isinstance(check["ms"], int | float) and check["ms"] >= 0
    assert_reveals_nothing(response.content.decode())


@pytest.mark.django_db
@override_settings(CACHES=UNREACHABLE_CACHE)
def test_readiness__cache_unreachable__503_naming_the_cache(client):
    response = client.get("/health/readiness")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert_reveals_nothing(response.content.decode())


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL=CLOSED_REDIS)
def test_readiness__broker_unreachable__503_naming_the_broker(client):
    response = client.get("/health/readiness")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True
    assert_reveals_nothing(response.content.decode())


# Runs in a fresh process whose DATABASE_URL points at a closed port: the real connection
# fails, nothing is mocked.
_PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client()
live = client.get("/health")
ready = client.get("/health/readiness")
print(json.dumps({"live": live.status_code, "ready": ready.status_code,
                  "body": ready.content.decode()}))
"""


def test_readiness__database_unreachable__503_while_liveness_stays_ok():
    dead_database = "postgresql://postgres@127.0.0.1:1/x"
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(
        DATABASE_URL=dead_database,
        DJANGO_SETTINGS_MODULE="opsportal.settings",
        OPSPORTAL_ENV="development",
        LOG_JSON="true",
    )
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["live"] == 200
    assert outcome["ready"] == 503
    body = json.loads(outcome["body"])
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["cache"]["ok"] is True
    assert_reveals_nothing(outcome["body"])
    # The failure is logged by type only: no connection string, host or message.
    failed = [json.loads(line) for line in result.stderr.splitlines() if "check_failed" in line]
    assert [line["check"] for line in failed] == ["database"]
    assert dead_database not in result.stderr
