"""Two approvers approving one request at the same moment (PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from apps.approvals.models import ChangeRequest
from tests.approvals.conftest import events, fresh_code, rename_request


@pytest.mark.postgres
def test_approve__two_approvers_at_the_same_moment__applied_exactly_once(
    transactional_db, make_user, verified_api_client, rename_handler, launch_group
):
    approvers = [make_user("super_admin"), make_user("super_admin")]
    change_request = rename_request(make_user("finance"), launch_group)
    calls = [(verified_api_client(a), fresh_code(a)) for a in approvers]
    barrier = threading.Barrier(len(calls))
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def approve(api, code):
        try:
            barrier.wait(timeout=30)
            response = api.post(
                f"/v1/approvals/{change_request.pk}/approve", {"otp_code": code}, format="json"
            )
            with lock:
                answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(status for status, _body in answers)
    assert statuses == [200, 409], answers
    refused = next(body for status, body in answers if status == 409)
    assert refused["error"]["code"] == "not_pending"
    assert rename_handler.applied == [change_request.pk]
    assert events("approval.applied", target_id=str(change_request.pk)).count() == 1
    change_request.refresh_from_db()
    assert change_request.status == ChangeRequest.Status.APPLIED
    launch_group.refresh_from_db()
    assert launch_group.name == "launch-crew"
