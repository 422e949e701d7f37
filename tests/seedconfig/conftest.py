"""Fixtures of the seed-configuration tests: the v1 seed, people, fresh OTP codes and a
helper that takes a document through the two-person rule."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.conf import settings

from apps.approvals.services import change_request_approve
from apps.seedconfig import services
from apps.seedconfig.document import unwrap_seed
from tests.conftest import confirmed_totp_device, fresh_code, reset_replay  # noqa: F401  (shared helpers)

SEED_PATH = Path(settings.BASE_DIR) / "seeds" / "config-v1.json"
RPC_URL = "https://rpc.example.test/v3/SECRET-KEY-9f8e7d6c5b4a"
RPC_URL_2 = "wss://ws.example.test/stream?apikey=ANOTHER-SECRET-1a2b3c"


def load_seed() -> dict:
    return copy.deepcopy(unwrap_seed(json.loads(SEED_PATH.read_text(encoding="utf-8"))))


@pytest.fixture
def seed_document():
    return load_seed()


@pytest.fixture
def people(make_user):
    """Two super admins, a finance person and a support person."""
    return {
        "admin": make_user("super_admin", username="sc-admin"),
        "admin2": make_user("super_admin", username="sc-admin2"),
        "finance": make_user("finance", username="sc-finance"),
        "support": make_user("support", username="sc-support"),
    }


@pytest.fixture
def approve():
    def _approve(change_request, approver, comment=""):
        reset_replay(approver)
        return change_request_approve(
            actor=approver,
            change_request_id=change_request.pk,
            otp_code=fresh_code(approver),
            comment=comment,
        )

    return _approve


@pytest.fixture
def applied(people, approve):
    """``applied(document)`` files the document as finance and admin2 approves it."""

    def _applied(document, requester=None, approver=None):
        change_request = services.config_change_request(
            actor=requester or people["finance"], document=document, reason="test change"
        )
        change_request = approve(change_request, approver or people["admin2"])
        assert change_request.status == "applied", change_request.apply_result
        return change_request

    return _applied
