"""Scheduled flag changes through the API: list, create, cancel (applying them is the
scheduler's job, tested with a real worker in test_schedule.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.flags.models import ScheduledFlagChange
from tests.flags.helpers import row_counts

pytestmark = pytest.mark.django_db

URL = "/v1/flags/scheduled-changes"


@pytest.fixture
def ops(make_user):
    return make_user("ops", username="sched-ops")


@pytest.fixture
def ops_api(ops, verified_api_client):
    return verified_api_client(ops)


@pytest.fixture
def super_admins(make_user):
    return make_user("super_admin"), make_user("super_admin")


def _in(hours: float) -> str:
    return (timezone.now() + timedelta(hours=hours)).isoformat()


def test_create__non_fund_open__201_scheduled(ops, ops_api):
    response = ops_api.post(
        URL,
        {
            "flag": "public_live",
            "state": "open",
            "run_at": _in(24),
            "reason": "Public launch T0+24h",
            "incident": "",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "scheduled" and body["flag"] == "public_live"
    assert body["requested_by"] == ops.username and body["change_request"] is None
    assert ScheduledFlagChange.objects.get(pk=body["id"]).requested_by == ops


def test_create__fund_flag_risky__awaiting_approval_with_change_request(ops_api, super_admins):
    response = ops_api.post(
        URL,
        {
            "flag": "contribute",
            "state": "allowed",
            "scope": {"round": "42"},
            "run_at": _in(24),
            "reason": "Open fundraising 24 h after launch",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "awaiting_approval"
    assert body["change_request"]["status"] == "pending"
    assert body["change_request"]["page_url"] == f"/approvals/{body['change_request']['id']}/"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"flag": "public_live", "state": "open", "run_at": "yesterday", "reason": "x"}, "run_at"),
        ({"flag": "public_live", "state": "open", "reason": "x"}, "run_at"),
        (
            {
                "flag": "public_live",
                "state": "open",
                "run_at": "2001-01-01T00:00:00Z",
                "reason": "x",
            },
            "run_at",
        ),
        ({"flag": "public_live", "state": "blocked", "run_at": "IN24", "reason": "x"}, "state"),
        ({"flag": "public_live", "state": "open", "run_at": "IN24", "reason": ""}, "reason"),
        (
            {
                "flag": "public_live",
                "state": "open",
                "run_at": "IN24",
                "reason": "x",
                "scope": {"round": "1"},
            },
            "scope",
        ),
        ({"flag": "nope", "state": "open", "run_at": "IN24", "reason": "x"}, "flag"),
    ],
    ids=[
        "bad-time",
        "no-time",
        "past",
        "wrong-state",
        "no-reason",
        "scope-not-accepted",
        "unknown-flag",
    ],
)
def test_create__bad_input__error_on_field_nothing_written(ops_api, body, field):
    body = {k: (_in(24) if v == "IN24" else v) for k, v in body.items()}
    before = row_counts()

    response = ops_api.post(URL, body, format="json")

    assert response.status_code in (400, 404), response.content
    assert field in response.json()["error"]["fields"]
    assert row_counts() == before


def test_list_and_cancel__cancelled_with_reason(ops_api, make_user, verified_api_client):
    created = ops_api.post(
        URL,
        {"flag": "feed.post", "state": "blocked", "run_at": _in(2), "reason": "maintenance"},
        format="json",
    ).json()
    reader = verified_api_client(make_user("reviewer"))

    listed = reader.get(URL, {"status": "scheduled"}).json()
    no_reason = ops_api.post(f"{URL}/{created['id']}/cancel", {"reason": ""}, format="json")
    cancelled = ops_api.post(
        f"{URL}/{created['id']}/cancel", {"reason": "not needed"}, format="json"
    )

    assert [item["id"] for item in listed["results"]] == [created["id"]]
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "not needed"
    assert reader.get(URL, {"status": "scheduled"}).json()["count"] == 0


def test_cancel__unknown__404(ops_api):
    response = ops_api.post(f"{URL}/999999/cancel", {"reason": "x"}, format="json")

    assert response.status_code == 404
