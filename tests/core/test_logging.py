"""Log lines carry the request id and never a secret."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import override_settings

from apps.core.logging import StructuredFormatter, get_logger
from tests.core.test_health import UNREACHABLE_CACHE


@pytest.fixture
def log_output(monkeypatch):
    """Everything logged (DEBUG and up) through the formatter the LOGGING setting installed."""
    root = logging.getLogger()
    configured = [
        h.formatter for h in root.handlers if isinstance(h.formatter, StructuredFormatter)
    ]
    assert configured, "LOGGING does not install apps.core.logging.StructuredFormatter"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configured[0])
    root.addHandler(handler)
    monkeypatch.setattr(root, "level", logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


@pytest.mark.django_db
@override_settings(CACHES=UNREACHABLE_CACHE)
def test_log_line__during_a_request__carries_its_request_id(client, log_output):
    client.get("/health/readiness", HTTP_X_REQUEST_ID="req-log-4711")

    lines = [line for line in log_output.getvalue().splitlines() if "req-log-4711" in line]
    assert any("health.check_failed" in line for line in lines), log_output.getvalue()
    # Django's own line about the 503 is written after the request's context ended.
    assert any("Service Unavailable" in line for line in lines), log_output.getvalue()


def test_json_formatter__structured_fields__one_json_object_per_line():
    record = logging.LogRecord("apps.flags", logging.INFO, __file__, 1, "flag.blocked", (), None)
    record.fields = {"flag": "contribute", "actor": 7}

    line = StructuredFormatter(json=True).format(record)

    assert json.loads(line) | {"time": None} == {
        "time": None,
        "level": "info",
        "logger": "apps.flags",
        "event": "flag.blocked",
        "flag": "contribute",
        "actor": 7,
    }


def test_get_logger__outside_a_request__line_without_request_id(log_output):
    get_logger("apps.test").info("thing.happened", count=2)

    line = log_output.getvalue().splitlines()[-1]
    assert "thing.happened" in line and "count=2" in line
    assert "request_id" not in line


@pytest.mark.django_db
def test_logs__failed_login_and_bad_token__hold_no_password_or_token(
    client, api_client, make_user, log_output
):
    person = make_user("ops")
    password = "Wrong-Password-Zx81-never-logged"
    token = "ops_abcdef123456_this-token-must-never-be-logged"

    client.post("/accounts/login/", {"username": person.username, "password": password})
    api_client.get("/v1/schema/", HTTP_AUTHORIZATION=f"Bearer {token}")

    output = log_output.getvalue()
    assert output, "nothing was logged: the test would prove nothing"
    assert password not in output
    assert token not in output
    assert "this-token-must-never-be-logged" not in output
