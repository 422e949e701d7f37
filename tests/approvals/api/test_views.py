"""The approvals API: filing, approving (step-up, two persons, versions), rejecting,
cancelling and listing change requests."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.approvals.models import ChangeRequest
from apps.audit.models import LogEntry
from tests.approvals.conftest import RENAME_KIND, events, fresh_code, rename_request

pytestmark = pytest.mark.usefixtures("rename_handler", "super_admins")

URL = "/v1/approvals/"


def _file(api, group, **overrides):
    body = {
        "kind": RENAME_KIND,
        "payload": {"group": group.name, "new_name": "launch-crew"},
        "reason": "Rename for the launch",
        "ticket": "OPS-42",
    }
    body.update(overrides)
    return api.post(URL, body, format="json")


def _approve(api, change_request, code, **extra):
    return api.post(f"{URL}{change_request.pk}/approve", {"otp_code": code, **extra}, format="json")


# --- filing ----------------------------------------------------------------------------


def test_approval_create__finance_files_rename__pending_with_frozen_payload_and_audit(
    make_user, verified_api_client, launch_group
):
    finance = make_user("finance")
    response = _file(verified_api_client(finance), launch_group)

    assert response.status_code == 201, response.content
    body = response.json()
    change_request = ChangeRequest.objects.get(pk=body["id"])
    assert change_request.status == "pending"
    assert change_request.requester == finance
    assert change_request.base_version == "launch-team"
    assert change_request.ticket == "OPS-42"
    assert body["diff"] == [{"field": "name", "before": "launch-team", "after": "launch-crew"}]
    canonical = json.dumps(change_request.payload, sort_keys=True, separators=(",", ":"))
    assert change_request.payload_sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    assert change_request.expires_at - change_request.created_at == timedelta(hours=24)
    assert events("approval.created", target_id=str(change_request.pk), actor=finance).exists()
    assert LogEntry.objects.filter(
        content_type__model="changerequest", object_pk=str(change_request.pk)
    ).exists()
    launch_group.refresh_from_db()
    assert launch_group.name == "launch-team"


def test_approval_create__without_reason__field_error_and_nothing_filed(
    make_user, verified_api_client, launch_group
):
    response = _file(verified_api_client(make_user("finance")), launch_group, reason="  ")

    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    assert not ChangeRequest.objects.exists()


def test_approval_create__float_in_payload__refused_with_field_error(
    make_user, verified_api_client, launch_group
):
    response = _file(
        verified_api_client(make_user("finance")),
        launch_group,
        payload={"group": launch_group.name, "new_name": "x", "share": 1.5},
    )

    assert response.status_code == 400
    assert "payload" in response.json()["error"]["fields"]
    assert not ChangeRequest.objects.exists()


def test_approval_create__unknown_kind__field_error(make_user, verified_api_client, launch_group):
    response = _file(verified_api_client(make_user("finance")), launch_group, kind="no.such")

    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


def test_approval_create__handler_rejects_payload__field_errors_and_nothing_filed(
    make_user, verified_api_client
):
    response = verified_api_client(make_user("finance")).post(
        URL,
        {"kind": RENAME_KIND, "payload": {"group": "missing"}, "reason": "r"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"group", "new_name"}
    assert not ChangeRequest.objects.exists()


def test_approval_create__second_request_on_same_target__refused_naming_the_first(
    make_user, verified_api_client, launch_group
):
    api = verified_api_client(make_user("finance"))
    first = _file(api, launch_group).json()
    response = _file(api, launch_group, payload={"group": "launch-team", "new_name": "other"})

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "pending_request_exists"
    assert f"#{first['id']}" in error["message"]
    assert ChangeRequest.objects.count() == 1


def test_approval_create__service_token__refused(token_client, launch_group):
    api, _token = token_client(scopes=["flags:read"])
    response = _file(api, launch_group)

    assert response.status_code == 403
    assert not ChangeRequest.objects.exists()


# --- approving ---------------------------------------------------------------------------


def test_approval_approve__other_super_admin_with_fresh_code__applied_and_audited(
    make_user, verified_api_client, launch_group, rename_handler, super_admins
):
    finance = make_user("finance")
    change_request = rename_request(finance, launch_group)
    approver = super_admins[0]

    response = _approve(
        verified_api_client(approver), change_request, fresh_code(approver), comment="Looks right"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "applied"
    change_request.refresh_from_db()
    assert change_request.status == "applied"
    assert change_request.decided_by == approver
    assert change_request.decision_comment == "Looks right"
    assert change_request.apply_result == {"group": launch_group.pk, "name": "launch-crew"}
    launch_group.refresh_from_db()
    assert launch_group.name == "launch-crew"
    assert rename_handler.applied == [change_request.pk]
    assert events("approval.applied", target_id=str(change_request.pk), actor=approver).count() == 1


def test_approval_approve__requester_approves_own_request__refused_and_nothing_applied(
    verified_api_client, launch_group, super_admins
):
    requester = super_admins[0]
    change_request = rename_request(requester, launch_group)

    response = _approve(verified_api_client(requester), change_request, fresh_code(requester))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "own_request"
    change_request.refresh_from_db()
    assert change_request.status == "pending"
    assert change_request.decided_by is None
    launch_group.refresh_from_db()
    assert launch_group.name == "launch-team"


def test_change_request__requester_recorded_as_decider_bypassing_services__database_refuses(
    launch_group, super_admins
):
    requester = super_admins[0]
    change_request = rename_request(requester, launch_group)

    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.filter(pk=change_request.pk).update(
            decided_by=requester, status="applied"
        )

    change_request.refresh_from_db()
    assert change_request.status == "pending"


def test_change_request__two_pending_on_one_target_bypassing_services__database_refuses(
    launch_group, super_admins
):
    first = rename_request(super_admins[0], launch_group)
    duplicate = ChangeRequest(
        kind=first.kind,
        target=first.target,
        payload=first.payload,
        payload_sha256=first.payload_sha256,
        summary="duplicate",
        reason="bypass",
        requester=super_admins[1],
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.parametrize("code", ["", "000000", "12ab56"])
def test_approval_approve__without_valid_code__refused_and_nothing_applied(
    code, make_user, verified_api_client, launch_group, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)
    approver = super_admins[0]
    if code == "000000" and fresh_code(approver) == "000000":
        code = "000001"

    response = _approve(verified_api_client(approver), change_request, code)

    assert response.status_code == 400
    change_request.refresh_from_db()
    assert change_request.status == "pending"
    launch_group.refresh_from_db()
    assert launch_group.name == "launch-team"


def test_approval_approve__code_already_used__refused_as_used_not_as_wrong(
    make_user, verified_api_client, launch_group, super_admins
):
    approver = super_admins[0]
    first = rename_request(make_user("finance"), launch_group)
    other_group = Group.objects.create(name="ops-crew")
    second = rename_request(make_user("finance"), other_group, new_name="ops-team")
    api = verified_api_client(approver)
    code = fresh_code(approver)
    assert _approve(api, first, code).status_code == 200

    response = _approve(api, second, code)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "otp_used"
    assert "already used" in response.json()["error"]["message"]
    assert "otp_code" in response.json()["error"]["fields"]
    second.refresh_from_db()
    assert second.status == "pending"
    other_group.refresh_from_db()
    assert other_group.name == "ops-crew"


def test_approval_approve__expired_request__marked_expired_and_nothing_applied(
    make_user, verified_api_client, launch_group, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)
    approver = super_admins[0]

    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        response = _approve(verified_api_client(approver), change_request, fresh_code(approver))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "expired"
    change_request.refresh_from_db()
    assert change_request.status == "expired"
    launch_group.refresh_from_db()
    assert launch_group.name == "launch-team"
    assert events("approval.expired", target_id=str(change_request.pk)).count() == 1
    assert not events("approval.applied").exists()


def test_approval_approve__target_changed_since_request__conflict_and_nothing_applied(
    make_user, verified_api_client, launch_group, rename_handler, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)
    launch_group.name = "renamed-meanwhile"
    launch_group.save()
    approver = super_admins[0]

    response = _approve(verified_api_client(approver), change_request, fresh_code(approver))

    assert response.status_code == 409
    body = response.json()["error"]
    assert body["code"] == "conflict"
    assert body["change_request"]["status"] == "conflict"
    change_request.refresh_from_db()
    assert change_request.status == "conflict"
    assert change_request.apply_result["current_version"] == "renamed-meanwhile"
    launch_group.refresh_from_db()
    assert launch_group.name == "renamed-meanwhile"
    assert rename_handler.applied == []
    assert events("approval.conflict", target_id=str(change_request.pk)).count() == 1


def test_approval_approve__finance_lacks_approve_permission__refused(
    make_user, verified_api_client, launch_group
):
    change_request = rename_request(make_user("finance"), launch_group)
    other_finance = make_user("finance")

    response = _approve(
        verified_api_client(other_finance), change_request, fresh_code(other_finance)
    )

    assert response.status_code == 403
    change_request.refresh_from_db()
    assert change_request.status == "pending"


def test_approval_approve__service_token_with_every_scope__refused(
    make_user, token_client, launch_group
):
    from apps.accounts.scopes import SCOPES

    change_request = rename_request(make_user("finance"), launch_group)
    api, _token = token_client(scopes=list(SCOPES))

    response = _approve(api, change_request, "123456")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_not_allowed"
    change_request.refresh_from_db()
    assert change_request.status == "pending"


def test_approval_approve__already_applied__refused_as_not_pending(
    make_user, verified_api_client, launch_group, rename_handler, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)
    first, second = super_admins
    assert (
        _approve(verified_api_client(first), change_request, fresh_code(first)).status_code == 200
    )

    response = _approve(verified_api_client(second), change_request, fresh_code(second))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_pending"
    assert rename_handler.applied == [change_request.pk]


def test_approval_approve__replayed_idempotency_key__same_answer_applied_once(
    make_user, verified_api_client, launch_group, rename_handler, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)
    approver = super_admins[0]
    api = verified_api_client(approver)
    body = {"otp_code": fresh_code(approver)}
    url = f"{URL}{change_request.pk}/approve"

    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="approve-1")
    again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="approve-1")

    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert rename_handler.applied == [change_request.pk]
    assert events("approval.applied").count() == 1


# --- rejecting and cancelling ------------------------------------------------------------


def test_approval_reject__without_comment__field_error_and_still_pending(
    make_user, verified_api_client, launch_group, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)

    response = verified_api_client(super_admins[0]).post(
        f"{URL}{change_request.pk}/reject", {"comment": ""}, format="json"
    )

    assert response.status_code == 400
    assert "comment" in response.json()["error"]["fields"]
    change_request.refresh_from_db()
    assert change_request.status == "pending"


def test_approval_reject__super_admin_with_comment__rejected_and_audited(
    make_user, verified_api_client, launch_group, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)

    response = verified_api_client(super_admins[0]).post(
        f"{URL}{change_request.pk}/reject", {"comment": "Wrong team"}, format="json"
    )

    assert response.status_code == 200
    change_request.refresh_from_db()
    assert change_request.status == "rejected"
    assert change_request.decided_by == super_admins[0]
    assert change_request.decision_comment == "Wrong team"
    assert events("approval.rejected", target_id=str(change_request.pk)).exists()
    launch_group.refresh_from_db()
    assert launch_group.name == "launch-team"


def test_approval_cancel__by_requester__cancelled_and_target_free_again(
    make_user, verified_api_client, launch_group
):
    finance = make_user("finance")
    change_request = rename_request(finance, launch_group)
    api = verified_api_client(finance)

    response = api.post(f"{URL}{change_request.pk}/cancel", {}, format="json")

    assert response.status_code == 200
    change_request.refresh_from_db()
    assert change_request.status == "cancelled"
    assert events("approval.cancelled", target_id=str(change_request.pk), actor=finance).exists()
    assert _file(api, launch_group).status_code == 201


def test_approval_cancel__by_someone_else__refused(
    make_user, verified_api_client, launch_group, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)

    response = verified_api_client(super_admins[0]).post(
        f"{URL}{change_request.pk}/cancel", {}, format="json"
    )

    assert response.status_code == 403
    change_request.refresh_from_db()
    assert change_request.status == "pending"


# --- reading ---------------------------------------------------------------------------------


def test_approval_list__filters__status_kind_mine_and_waiting_for_me(
    make_user, verified_api_client, launch_group, super_admins
):
    finance = make_user("finance")
    mine = rename_request(finance, launch_group)
    theirs = rename_request(super_admins[1], Group.objects.create(name="ops-crew"), new_name="o")
    api = verified_api_client(finance)

    def ids(query):
        response = api.get(URL + query)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == {mine.pk, theirs.pk}
    assert ids("?mine=1") == {mine.pk}
    assert ids("?status=applied") == set()
    assert ids(f"?kind={RENAME_KIND}") == {mine.pk, theirs.pk}
    assert ids("?kind=accounts.role_change") == set()
    assert ids("?waiting_for_me=1") == set()  # finance approves nothing
    admin_ids = {
        row["id"]
        for row in verified_api_client(super_admins[0])
        .get(URL + "?waiting_for_me=1")
        .json()["results"]
    }
    assert admin_ids == {mine.pk, theirs.pk}


def test_approval_detail__any_role__sees_diff_and_can_decide_flag(
    make_user, verified_api_client, launch_group, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)

    support = verified_api_client(make_user("support")).get(f"{URL}{change_request.pk}/")
    admin = verified_api_client(super_admins[0]).get(f"{URL}{change_request.pk}/")

    assert support.status_code == admin.status_code == 200
    assert support.json()["can_decide"] is False
    assert admin.json()["can_decide"] is True
    assert admin.json()["diff"][0]["after"] == "launch-crew"


def test_approval_detail__without_trailing_slash__same_answer_not_a_redirect(
    make_user, verified_api_client, launch_group
):
    change_request = rename_request(make_user("finance"), launch_group)
    api = verified_api_client(make_user("support"))

    without = api.get(f"{URL}{change_request.pk}")
    with_slash = api.get(f"{URL}{change_request.pk}/")
    missing = api.get(f"{URL}{change_request.pk + 1000}")

    assert without.status_code == with_slash.status_code == 200
    assert without.json() == with_slash.json()
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_approval_approve__with_matching_payload_sha256__applied(
    make_user, verified_api_client, launch_group, rename_handler, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)
    approver = super_admins[0]
    shown = verified_api_client(approver).get(f"{URL}{change_request.pk}").json()

    response = _approve(
        verified_api_client(approver),
        change_request,
        fresh_code(approver),
        payload_sha256=shown["payload_sha256"].upper(),
    )

    assert response.status_code == 200, response.content
    assert rename_handler.applied == [change_request.pk]


def test_approval_approve__right_code_just_after_a_wrong_one__told_to_wait_not_wrong(
    make_user, verified_api_client, launch_group, rename_handler, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)
    approver = super_admins[0]
    api = verified_api_client(approver)

    with time_machine.travel(timezone.now(), tick=False):
        code = fresh_code(approver)
        wrong = "111111" if code != "111111" else "222222"
        first = _approve(api, change_request, wrong)
        second = _approve(api, change_request, code)

    assert first.json()["error"]["code"] == "otp_invalid"
    assert second.status_code == 400
    assert second.json()["error"]["code"] == "otp_throttled"
    assert "Wait" in second.json()["error"]["message"]
    assert rename_handler.applied == []
