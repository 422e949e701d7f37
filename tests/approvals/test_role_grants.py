"""Role grants: nobody grants a role to themselves (page, admin, change request), and
``incident_commander`` follows the two-person rule like ``super_admin`` and ``finance``."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from apps.accounts.models import User
from apps.approvals.models import ChangeRequest
from tests.approvals.conftest import events, fresh_code

URL = "/v1/approvals/"
SELF_GRANT = "Nobody can grant a role to themselves"


def _roles(user) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def _file(api, user, role, action="grant"):
    return api.post(
        URL,
        {
            "kind": "accounts.role_change",
            "payload": {"user": user.pk, "role": role, "action": action},
            "reason": "Launch staffing",
        },
        format="json",
    )


def _approve(api, change_request_id, person):
    change_request = ChangeRequest.objects.get(pk=change_request_id)
    return api.post(
        f"{URL}{change_request_id}/approve",
        {"otp_code": fresh_code(person), "payload_sha256": change_request.payload_sha256},
        format="json",
    )


# --- to oneself ----------------------------------------------------------------------------


def test_role_grant__self_on_people_page__refused_and_nothing_changes(make_user, verified_client):
    admin = make_user("super_admin")
    make_user("super_admin")

    response = verified_client(admin).post(
        reverse("accounts:role_grant", args=[admin.pk]), {"role": "ops"}
    )

    assert response.status_code == 400
    assert SELF_GRANT in response.content.decode()
    assert _roles(admin) == {"super_admin"}
    assert not events("account.role_granted").exists()


def test_role_grant__self_in_django_admin__form_error_and_nothing_changes(
    make_user, verified_client
):
    admin = make_user("super_admin", is_staff=True)
    make_user("super_admin")
    ops = Group.objects.get(name="ops")
    super_admin = Group.objects.get(name="super_admin")

    response = verified_client(admin).post(
        reverse("admin:accounts_user_change", args=[admin.pk]),
        {"groups": [ops.pk, super_admin.pk]},
    )

    assert response.status_code == 200
    assert SELF_GRANT in response.content.decode()
    assert _roles(admin) == {"super_admin"}
    assert not events("account.role_granted").exists()


@pytest.mark.parametrize("role", ["finance", "incident_commander"])
def test_role_change_api__grant_to_oneself__400_and_nothing_filed(
    role, make_user, verified_api_client
):
    admin = make_user("super_admin")
    make_user("super_admin")

    response = _file(verified_api_client(admin), admin, role)

    assert response.status_code == 400
    assert SELF_GRANT in response.json()["error"]["fields"]["user"][0]
    assert not ChangeRequest.objects.exists()
    assert _roles(admin) == {"super_admin"}


def test_role_change_page__grant_to_oneself__form_error_and_nothing_filed(
    make_user, verified_client
):
    admin = make_user("super_admin")
    make_user("super_admin")

    response = verified_client(admin).post(
        reverse("approvals:role_change_new"),
        {
            "user": admin.username,
            "role": "incident_commander",
            "action": "grant",
            "reason": "I lead the launch",
        },
    )

    assert response.status_code == 400
    assert SELF_GRANT in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_role_change__grantee_approves_own_grant__403_person_behind_then_third_admin_applies(
    make_user, verified_api_client
):
    admin, admin2, admin3 = (make_user("super_admin") for _ in range(3))
    filed = _file(verified_api_client(admin), admin2, "incident_commander").json()

    refused = _approve(verified_api_client(admin2), filed["id"], admin2)
    approved = _approve(verified_api_client(admin3), filed["id"], admin3)

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "person_behind"
    assert "named by the change" in refused.json()["error"]["message"]
    assert approved.status_code == 200, approved.content
    assert _roles(admin2) == {"super_admin", "incident_commander"}
    assert events("account.role_granted", target_id=str(admin2.pk), actor=admin3).count() == 1


# --- incident_commander is protected ----------------------------------------------------


def test_role_grant__incident_commander_on_people_page__refused_pointing_to_approvals(
    make_user, verified_client
):
    admin = make_user("super_admin")
    make_user("super_admin")
    person = make_user("ops")

    response = verified_client(admin).post(
        reverse("accounts:role_grant", args=[person.pk]), {"role": "incident_commander"}
    )

    assert response.status_code == 400
    assert "Approvals" in response.content.decode()
    assert _roles(person) == {"ops"}


def test_role_revoke__incident_commander_on_people_page__refused_pointing_to_approvals(
    make_user, verified_client
):
    admin = make_user("super_admin")
    make_user("super_admin")
    person = make_user("incident_commander")

    response = verified_client(admin).post(
        reverse("accounts:role_revoke", args=[person.pk]), {"role": "incident_commander"}
    )

    assert response.status_code == 400
    assert _roles(person) == {"incident_commander"}


def test_role_change__incident_commander_grant__pending_until_a_second_admin_approves(
    make_user, verified_api_client
):
    admin, admin2 = make_user("super_admin"), make_user("super_admin")
    person = make_user("ops")

    filed = _file(verified_api_client(admin), person, "incident_commander")

    assert filed.status_code == 201, filed.content
    assert filed.json()["status"] == "pending"
    assert _roles(person) == {"ops"}
    own = _approve(verified_api_client(admin), filed.json()["id"], admin)
    assert own.status_code == 403 and own.json()["error"]["code"] == "own_request"

    approved = _approve(verified_api_client(admin2), filed.json()["id"], admin2)

    assert approved.status_code == 200, approved.content
    assert _roles(person) == {"ops", "incident_commander"}


def test_role_change__lone_super_admin_grants_incident_commander__refused_until_two_exist(
    make_user, verified_api_client
):
    lone = make_user("super_admin")
    person = make_user("ops")

    response = _file(verified_api_client(lone), person, "incident_commander")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "two_super_admins_needed"
    assert _roles(person) == {"ops"}


def test_role_change__lone_super_admin_grants_second_super_admin__still_applied_at_once(
    make_user, verified_api_client
):
    lone = make_user("super_admin")
    person = make_user("ops")

    response = _file(verified_api_client(lone), person, "super_admin")

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "applied"
    assert response.json()["bootstrap"] is True
    assert _roles(person) == {"ops", "super_admin"}
