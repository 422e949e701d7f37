"""Bootstrap of the super admins and protected role changes under the two-person rule."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.accounts.models import User
from apps.approvals.models import ChangeRequest
from tests.approvals.conftest import RENAME_KIND, events, fresh_code

URL = "/v1/approvals/"


def _roles(user) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def _role_change(api, user, role, action="grant"):
    return api.post(
        URL,
        {
            "kind": "accounts.role_change",
            "payload": {"user": user.pk, "role": role, "action": action},
            "reason": "Launch staffing",
            "ticket": "OPS-7",
        },
        format="json",
    )


# --- the first super admin -------------------------------------------------------------


def test_bootstrap_super_admin__none_exists__created_with_printed_one_time_password(db):
    out = io.StringIO()

    call_command("bootstrap_super_admin", username="first", email="first@example.test", stdout=out)

    user = User.objects.get(username="first")
    assert _roles(user) == {"super_admin"}
    printed = out.getvalue().splitlines()
    assert any(user.check_password(line.strip()) for line in printed)
    assert events("approval.super_admin_bootstrapped", target_id=str(user.pk)).exists()


def test_bootstrap_super_admin__password_from_environment__used_and_not_printed(db, monkeypatch):
    password = "a-long-bootstrap-passphrase-91"
    monkeypatch.setenv("OPSPORTAL_BOOTSTRAP_PASSWORD", password)
    out = io.StringIO()

    call_command("bootstrap_super_admin", username="first", email="first@example.test", stdout=out)

    assert User.objects.get(username="first").check_password(password)
    assert password not in out.getvalue()


def test_bootstrap_super_admin__one_already_exists__refused_and_nobody_created(make_user):
    make_user("super_admin")

    with pytest.raises(CommandError, match="already exists"):
        call_command("bootstrap_super_admin", username="second", email="s@example.test")

    assert not User.objects.filter(username="second").exists()


# --- fewer than two super admins -----------------------------------------------------------


def test_two_person_change__lone_super_admin__refused_saying_why(
    rename_handler, launch_group, make_user, verified_api_client
):
    make_user("super_admin")
    finance = make_user("finance")

    response = verified_api_client(finance).post(
        URL,
        {
            "kind": RENAME_KIND,
            "payload": {"group": launch_group.name, "new_name": "x"},
            "reason": "r",
        },
        format="json",
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "two_super_admins_needed"
    assert "grant the second one first" in error["message"]
    assert not ChangeRequest.objects.exists()


def test_role_change__lone_super_admin_grants_second_super_admin__applied_at_once_and_audited(
    make_user, verified_api_client
):
    lone = make_user("super_admin")
    person = make_user("ops")

    response = _role_change(verified_api_client(lone), person, "super_admin")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "applied"
    assert body["bootstrap"] is True
    assert _roles(person) == {"ops", "super_admin"}
    change_request = ChangeRequest.objects.get(pk=body["id"])
    assert change_request.decided_by is None
    assert events("approval.bootstrap_applied", target_id=str(change_request.pk), actor=lone)
    assert events("account.role_granted", target_id=str(person.pk), actor=lone).count() == 1


def test_role_change__lone_super_admin_grants_finance__refused_until_two_exist(
    make_user, verified_api_client
):
    lone = make_user("super_admin")
    person = make_user("ops")

    response = _role_change(verified_api_client(lone), person, "finance")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "two_super_admins_needed"
    assert _roles(person) == {"ops"}


def test_role_change__second_grant_after_bootstrap__needs_a_second_person(
    make_user, verified_api_client
):
    lone = make_user("super_admin")
    second = make_user("ops")
    api = verified_api_client(lone)
    assert _role_change(api, second, "super_admin").json()["status"] == "applied"
    third = make_user("ops")

    response = _role_change(api, third, "super_admin")

    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert _roles(third) == {"ops"}


def test_role_change__removal_would_leave_one_super_admin__refused(make_user, verified_api_client):
    first, second = make_user("super_admin"), make_user("super_admin")

    response = _role_change(verified_api_client(first), second, "super_admin", action="revoke")

    assert response.status_code == 400
    assert "At least 2 super admins must remain" in response.json()["error"]["fields"]["role"][0]
    assert _roles(second) == {"super_admin"}
    assert not ChangeRequest.objects.exists()


def test_role_change__grant_finance__applied_only_when_another_super_admin_approves(
    make_user, verified_api_client
):
    first, second = make_user("super_admin"), make_user("super_admin")
    person = make_user("support")
    filed = _role_change(verified_api_client(first), person, "finance").json()
    assert filed["status"] == "pending"
    assert _roles(person) == {"support"}

    response = verified_api_client(second).post(
        f"{URL}{filed['id']}/approve", {"otp_code": fresh_code(second)}, format="json"
    )

    assert response.status_code == 200, response.content
    assert _roles(person) == {"support", "finance"}
    assert events("account.role_granted", target_id=str(person.pk), actor=second).count() == 1


def test_role_grant__protected_role_on_people_page__refused_pointing_to_approvals(
    make_user, verified_client
):
    make_user("super_admin")
    admin = make_user("super_admin")
    person = make_user("support")

    response = verified_client(admin).post(
        reverse("accounts:role_grant", args=[person.pk]), {"role": "finance"}
    )

    assert response.status_code == 400
    assert "Approvals" in response.content.decode()
    assert _roles(person) == {"support"}
    assert not events("account.role_granted").exists()


def test_role_change_page__super_admin_files_removal__pending_request_with_diff(
    make_user, verified_client
):
    admin = make_user("super_admin")
    make_user("super_admin")
    make_user("super_admin")
    person = make_user("finance")
    client = verified_client(admin)

    response = client.post(
        reverse("approvals:role_change_new"),
        {"user": person.username, "role": "finance", "action": "revoke", "reason": "Left team"},
    )

    change_request = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("approvals:detail", args=[change_request.pk])
    assert change_request.status == "pending"
    assert change_request.summary == f"Remove finance from {person.username}"
    assert _roles(person) == {"finance"}
    page = client.get(response["Location"]).content.decode()
    assert f"role finance of {person.username}" in page


def test_role_change_page__ops_without_assign_role__403(make_user, verified_client):
    response = verified_client(make_user("ops")).get(reverse("approvals:role_change_new"))

    assert response.status_code == 403
