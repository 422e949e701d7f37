"""Helpers for audit tests: writing records the way the rest of the portal does."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.core import context
from apps.core.events import record_access, record_event
from tests.notify.conftest import (  # noqa: F401  (the anchor channel tests use them)
    make_channel,
    make_receiver,
    ops_user,
    webhook_channel,
)


@pytest.fixture
def audited(db):
    """``audited(actor, request_id=...)``: a context manager binding actor and request."""

    def _bind(actor=None, *, request_id="req-test", remote_addr="127.0.0.1"):
        return context.bind(request_id=request_id, actor=actor, remote_addr=remote_addr)

    return _bind


@pytest.fixture
def write_event(db):
    def _write(name="test.happened", **kwargs):
        return record_event(name, **kwargs)

    return _write


@pytest.fixture
def write_access(db):
    def _write(subject, reason="checking a ticket", **kwargs):
        return record_access(subject=subject, reason=reason, **kwargs)

    return _write


@pytest.fixture
def run_verify(db, capsys):
    """Run ``audit_verify``; returns (ok, output)."""

    def _run(*args):
        try:
            call_command("audit_verify", *args)
        except CommandError as error:
            out = capsys.readouterr().out
            return False, f"{out}{error}"
        return True, capsys.readouterr().out

    return _run
