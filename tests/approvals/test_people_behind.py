"""The people behind a change request filed by a service account's token may not decide it.

A super admin who created the filing token, created the service account or changed the
token's scopes is behind what the token files: refused on every door (the page, the API
with a session, the API with a token, the Django admin), while a second super admin who
is not behind it approves. The robot files through the real automation door
(``POST /v1/admin/system-flags/set`` with its ``flags:write`` token).
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.scopes import SCOPES
from apps.accounts.services.tokens import (
    service_account_create,
    token_create,
    token_scopes_change,
)
from apps.approvals.models import ChangeRequest, PersonBehind
from apps.flags.models import FlagState
from tests.approvals.conftest import events, fresh_code

SET_URL = "/v1/admin/system-flags/set"
HOW = ["token_creator", "account_creator", "scope_changer"]


@pytest.fixture(autouse=True)
def _version_from_the_database(settings):
    # The test's transaction never commits: flag versions are read from the database.
    settings.FLAGS_VERSION_SOURCE = "db"


@pytest.fixture
def admins(make_user):
    """``admin`` (the one behind the robot), ``admin2`` (not behind it) and ``admin3``
    (who made whatever ``admin`` did not)."""
    return {
        "admin": make_user("super_admin", username="admin"),
        "admin2": make_user("super_admin", username="admin2"),
        "admin3": make_user("super_admin", username="admin3"),
    }


def robot_with_token(admins, how: str):
    """A service account ``robot`` and its token, ``admin`` being behind it as ``how``."""
    admin, admin3 = admins["admin"], admins["admin3"]
    account_by = admin if how in ("account_creator", "both") else admin3
    token_by = admin if how in ("token_creator", "both") else admin3
    robot = service_account_create(actor=account_by, username="robot", description="tx manager")
    scopes = ["flags:read"] if how == "scope_changer" else ["flags:read", "flags:write"]
    token, plaintext = token_create(actor=token_by, service_account=robot, name="ci", scopes=scopes)
    if how == "scope_changer":
        token_scopes_change(
            actor=admin,
            token=token,
            scopes=["flags:read", "flags:write"],
            reason="the tx manager re-enables payouts after incidents",
        )
    return robot, token, plaintext


def robot_files_payout(plaintext: str) -> ChangeRequest:
    """The robot blocks ``payout``, then asks for it back: a fund flag's risky direction."""
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    blocked = api.post(
        SET_URL, {"flag": "payout", "state": "blocked", "reason": "ledger check"}, format="json"
    )
    assert blocked.status_code == 201, blocked.content
    asked = api.post(
        SET_URL, {"flag": "payout", "state": "allowed", "reason": "ledger fixed"}, format="json"
    )
    assert asked.status_code == 202, asked.content
    return ChangeRequest.objects.get(pk=asked.json()["change_request"]["id"])


def _payout_allowed_states() -> int:
    return FlagState.objects.filter(flag__key="payout", state="allowed").count()


def _page_approve(client, change_request, person):
    return client.post(
        reverse("approvals:approve", args=[change_request.pk]),
        {"otp_code": fresh_code(person), "payload_sha256": change_request.payload_sha256},
    )


def _api_approve(api, change_request, person):
    return api.post(
        f"/v1/approvals/{change_request.pk}/approve",
        {"otp_code": fresh_code(person), "payload_sha256": change_request.payload_sha256},
        format="json",
    )


# --- the scenario ---------------------------------------------------------------


def test_token_filing__admin_made_account_and_token__admin_refused_naming_them_admin2_applies(
    admins, verified_api_client
):
    robot, token, plaintext = robot_with_token(admins, "both")
    change_request = robot_files_payout(plaintext)
    assert change_request.requester == robot
    assert change_request.filed_with_token == token

    refused = _api_approve(verified_api_client(admins["admin"]), change_request, admins["admin"])

    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "person_behind"
    assert "robot" in error["message"] and "token created by admin" in error["message"]
    assert error["filed_by"] == "robot (token created by admin; account created by admin)"
    change_request.refresh_from_db()
    assert change_request.status == "pending" and change_request.decided_by is None
    assert _payout_allowed_states() == 0

    approved = _api_approve(verified_api_client(admins["admin2"]), change_request, admins["admin2"])

    assert approved.status_code == 200, approved.content
    change_request.refresh_from_db()
    assert change_request.status == "applied"
    assert change_request.decided_by == admins["admin2"]
    assert _payout_allowed_states() == 1
    assert events("approval.applied", target_id=str(change_request.pk), actor=admins["admin2"])


# --- each door ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", HOW)
def test_page_approve__admin_behind_the_robot__refused_then_second_admin_applies(
    how, admins, verified_client, client
):
    _robot, _token, plaintext = robot_with_token(admins, how)
    change_request = robot_files_payout(plaintext)

    refused = _page_approve(verified_client(admins["admin"]), change_request, admins["admin"])

    assert refused.status_code == 403
    assert "you are behind it" in refused.content.decode()
    change_request.refresh_from_db()
    assert change_request.status == "pending"
    assert _payout_allowed_states() == 0

    client.logout()
    approved = _page_approve(verified_client(admins["admin2"]), change_request, admins["admin2"])

    assert approved.status_code == 302
    change_request.refresh_from_db()
    assert change_request.status == "applied"
    assert change_request.decided_by == admins["admin2"]
    assert _payout_allowed_states() == 1


@pytest.mark.parametrize("how", HOW)
def test_api_session_approve__admin_behind_the_robot__403_then_second_admin_applies(
    how, admins, verified_api_client
):
    _robot, _token, plaintext = robot_with_token(admins, how)
    change_request = robot_files_payout(plaintext)

    refused = _api_approve(verified_api_client(admins["admin"]), change_request, admins["admin"])

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "person_behind"
    assert [p["reason"] for p in refused.json()["error"]["people_behind"]].count(how) == 1
    change_request.refresh_from_db()
    assert change_request.status == "pending"
    assert not events("approval.applied").exists()

    approved = _api_approve(verified_api_client(admins["admin2"]), change_request, admins["admin2"])

    assert approved.status_code == 200, approved.content
    change_request.refresh_from_db()
    assert change_request.status == "applied"
    assert _payout_allowed_states() == 1


@pytest.mark.parametrize("how", HOW)
def test_api_session_reject__admin_behind_the_robot__403_and_still_pending(
    how, admins, verified_api_client
):
    _robot, _token, plaintext = robot_with_token(admins, how)
    change_request = robot_files_payout(plaintext)

    response = verified_api_client(admins["admin"]).post(
        f"/v1/approvals/{change_request.pk}/reject", {"comment": "not now"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "person_behind"
    change_request.refresh_from_db()
    assert change_request.status == "pending"
    assert not events("approval.rejected").exists()


@pytest.mark.parametrize("how", HOW)
def test_api_token_approve__robot_or_any_token__403_token_not_allowed_nothing_applied(
    how, admins, make_user
):
    from tests.factories import make_token

    _robot, _token, plaintext = robot_with_token(admins, how)
    change_request = robot_files_payout(plaintext)
    _strong, strongest = make_token(scopes=list(SCOPES))

    answers = []
    for secret in (plaintext, strongest):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        answers.append(
            api.post(
                f"/v1/approvals/{change_request.pk}/approve",
                {"otp_code": "123456", "payload_sha256": change_request.payload_sha256},
                format="json",
            )
        )

    assert [a.status_code for a in answers] == [403, 403]
    assert {a.json()["error"]["code"] for a in answers} == {"token_not_allowed"}
    change_request.refresh_from_db()
    assert change_request.status == "pending"
    assert _payout_allowed_states() == 0


@pytest.mark.parametrize("how", HOW)
def test_django_admin__robot_request__shows_who_is_behind_and_decides_nothing(
    how, admins, verified_client, client
):
    for person in admins.values():
        person.is_staff = True
        person.save(update_fields=["is_staff"])
    _robot, _token, plaintext = robot_with_token(admins, how)
    change_request = robot_files_payout(plaintext)
    url = f"/admin/approvals/changerequest/{change_request.pk}/change/"
    expected = {
        "token_creator": "token created by admin",
        "account_creator": "account created by admin",
        "scope_changer": "token scopes changed by admin",
    }[how]

    page = verified_client(admins["admin"]).get(url)
    behind_post = client.post(url, {"status": "applied", "decided_by": admins["admin"].pk})
    action = client.post(
        "/admin/approvals/changerequest/",
        {"action": "delete_selected", "_selected_action": [change_request.pk]},
    )
    client.logout()
    second_post = verified_client(admins["admin2"]).post(
        url, {"status": "applied", "decided_by": admins["admin2"].pk}
    )

    assert page.status_code == 200
    assert expected in page.content.decode()
    assert behind_post.status_code == second_post.status_code == 403
    assert action.status_code in (200, 302)  # no actions: the list just shows again
    change_request.refresh_from_db()
    assert change_request.status == "pending" and change_request.decided_by is None
    assert _payout_allowed_states() == 0


# --- recorded, shown, and guarded in the database ------------------------------------------


def test_filing__token_request__people_behind_recorded_and_shown_on_page_and_api(
    admins, verified_client, verified_api_client
):
    _robot, _token, plaintext = robot_with_token(admins, "token_creator")
    change_request = robot_files_payout(plaintext)

    rows = set(
        PersonBehind.objects.filter(change_request=change_request).values_list(
            "person__username", "reason"
        )
    )
    page = verified_client(admins["admin2"]).get(
        reverse("approvals:detail", args=[change_request.pk])
    )
    inbox = verified_client(admins["admin2"]).get(reverse("approvals:inbox"))
    api = verified_api_client(admins["admin2"]).get(f"/v1/approvals/{change_request.pk}/")

    assert rows == {
        ("robot", "requester"),
        ("admin", "token_creator"),
        ("admin3", "account_creator"),
    }
    filed_by = "robot (token created by admin; account created by admin3)"
    assert filed_by in page.content.decode()
    assert filed_by in inbox.content.decode()
    assert api.json()["filed_by"] == filed_by
    assert {p["username"] for p in api.json()["people_behind"]} == {"admin", "admin3"}
    assert api.json()["can_decide"] is True


def test_waiting_for_me__admin_behind_the_robot__not_listed_for_admin_listed_for_admin2(
    admins, verified_api_client
):
    _robot, _token, plaintext = robot_with_token(admins, "token_creator")
    change_request = robot_files_payout(plaintext)

    def waiting(person):
        answer = verified_api_client(person).get("/v1/approvals/?waiting_for_me=1")
        return {row["id"] for row in answer.json()["results"]}

    assert change_request.pk not in waiting(admins["admin"])
    assert change_request.pk in waiting(admins["admin2"])


def test_scope_change_after_filing__changer_is_behind_at_decision_time(admins, verified_api_client):
    robot, token, plaintext = robot_with_token(admins, "token_creator")
    change_request = robot_files_payout(plaintext)
    token_scopes_change(
        actor=admins["admin2"],
        token=token,
        scopes=["flags:read", "flags:write", "support:ingest"],
        reason="the tx manager also feeds support data",
    )

    refused = _api_approve(verified_api_client(admins["admin2"]), change_request, admins["admin2"])

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "person_behind"
    change_request.refresh_from_db()
    assert change_request.status == "pending"
    assert robot.pk  # the account is untouched


def _guard_refuses_decider_behind(admins):
    _robot, _token, plaintext = robot_with_token(admins, "token_creator")
    change_request = robot_files_payout(plaintext)

    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.filter(pk=change_request.pk).update(
            decided_by=admins["admin"], status="rejected"
        )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE approvals_changerequest SET decided_by_id = %s, status = 'applied' "
            "WHERE id = %s",
            [admins["admin"].pk, change_request.pk],
        )
    ChangeRequest.objects.filter(pk=change_request.pk).update(
        decided_by=admins["admin2"], status="rejected", decision_comment="allowed"
    )

    change_request.refresh_from_db()
    assert change_request.decided_by == admins["admin2"]


def test_database_guard__person_behind_set_as_decider_bypassing_services__refused(admins):
    _guard_refuses_decider_behind(admins)


@pytest.mark.postgres
def test_database_guard__on_postgresql__person_behind_set_as_decider__refused(admins):
    _guard_refuses_decider_behind(admins)


def test_database_guard__after_migrate_again__trigger_still_installed(admins):
    from apps.approvals.guard import install_decider_guard

    assert install_decider_guard(connection) is True
    _guard_refuses_decider_behind(admins)


def test_filing__robot_request__approvers_told_except_the_people_behind_it(
    admins, django_capture_on_commit_callbacks
):
    from apps.notify.models import ContactMethod, OutboxMessage

    for person in admins.values():
        ContactMethod.objects.create(user=person, kind="email", target=person.email)
    _robot, _token, plaintext = robot_with_token(admins, "token_creator")

    with django_capture_on_commit_callbacks(execute=True):
        change_request = robot_files_payout(plaintext)

    told = OutboxMessage.objects.filter(event="approval.created")
    assert {m.contact_method.user.username for m in told} == {"admin2"}
    assert change_request.status == "pending"
