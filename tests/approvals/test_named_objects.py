"""A request naming an object somebody made through another path: that person is behind
the request too. Here a scheduled flag change made by one super admin is named by a
request another person files; its author cannot approve it, a second super admin can."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.approvals.models import ChangeRequest, PersonBehind
from apps.approvals.services import change_request_cancel
from apps.flags.models import ScheduledFlagChange
from apps.flags.services.schedule import scheduled_change_create
from tests.approvals.conftest import fresh_code


@pytest.fixture(autouse=True)
def _version_from_the_database(settings):
    settings.FLAGS_VERSION_SOURCE = "db"


def test_scheduled_change__author_approves_a_request_naming_it__403_second_admin_applies(
    make_user, verified_api_client
):
    admin, admin2 = make_user("super_admin"), make_user("super_admin")
    ops = make_user("ops")
    scheduled = scheduled_change_create(
        actor=admin,
        flag="payout",
        state="allowed",
        run_at=timezone.now() + timedelta(days=1),
        reason="reopen payouts after the audit",
    )
    first = scheduled.change_request
    change_request_cancel(actor=admin, change_request_id=first.pk)
    scheduled.refresh_from_db()
    assert scheduled.status == "awaiting_approval"

    filed = verified_api_client(ops).post(
        "/v1/approvals/",
        {"kind": "flags.state", "payload": first.payload, "reason": "filed again by ops"},
        format="json",
    )
    assert filed.status_code == 201, filed.content
    change_request = ChangeRequest.objects.get(pk=filed.json()["id"])
    assert PersonBehind.objects.filter(
        change_request=change_request, person=admin, reason="named"
    ).exists()

    def approve(person):
        return verified_api_client(person).post(
            f"/v1/approvals/{change_request.pk}/approve",
            {"otp_code": fresh_code(person), "payload_sha256": change_request.payload_sha256},
            format="json",
        )

    refused = approve(admin)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "person_behind"
    assert f"scheduled change #{scheduled.pk}" in refused.json()["error"]["message"]
    assert ScheduledFlagChange.objects.get(pk=scheduled.pk).status == "awaiting_approval"

    approved = approve(admin2)
    assert approved.status_code == 200, approved.content
    assert ScheduledFlagChange.objects.get(pk=scheduled.pk).status == "scheduled"
