"""Fixtures of the flags tests: people in every role, OTP approvals, a clean
evaluation snapshot per test, and the notify loopback receiver for webhooks."""

from __future__ import annotations

import pytest

from apps.approvals.services import change_request_approve
from apps.flags import evaluation
from apps.flags.models import Flag
from tests.conftest import confirmed_totp_device, fresh_code, reset_replay  # noqa: F401  (shared helpers)
from tests.notify.conftest import (  # noqa: F401  (fixtures re-used by the webhook tests)
    WEBHOOK_SECRET,
    make_channel,
    make_receiver,
    ops_user,
    webhook_channel,
)


@pytest.fixture(autouse=True)
def _fresh_evaluation_snapshot():
    """Each test starts without a process snapshot and without a cached version:
    rolled-back or flushed rows can make a version string repeat between tests (never in
    production, where rows are only ever added)."""
    from django.core.cache import cache

    evaluation.reset()
    cache.delete(evaluation.VERSION_CACHE_KEY)
    yield
    evaluation.reset()
    cache.delete(evaluation.VERSION_CACHE_KEY)


@pytest.fixture
def people(make_user):
    return {
        "ops": make_user("ops", username="fl-ops"),
        "ops2": make_user("ops", username="fl-ops2"),
        "commander": make_user("incident_commander", username="fl-commander"),
        "support": make_user("support", username="fl-support"),
        "admin": make_user("super_admin", username="fl-admin"),
        "admin2": make_user("super_admin", username="fl-admin2"),
        "finance": make_user("finance", username="fl-finance"),
        "reviewer": make_user("reviewer", username="fl-reviewer"),
    }


def approve(change_request, approver, comment=""):
    reset_replay(approver)
    return change_request_approve(
        actor=approver,
        change_request_id=change_request.pk,
        otp_code=fresh_code(approver),
        comment=comment,
    )


def flag(key: str) -> Flag:
    return Flag.objects.get(key=key)
