"""An authenticated session that has not passed MFA reaches nothing but enrolment,
verification and logout: portal pages, the /v1/ API and the admin alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import confirmed_totp_device
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _unverified(client, user):
    client.force_login(user, backend="apps.accounts.backends.HumanModelBackend")
    return client


def test_portal_page__unverified_without_device__redirects_to_enrolment(client):
    _unverified(client, UserFactory())

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:mfa_enrol')}?next=%2F"


def test_portal_page__unverified_with_device__redirects_to_verification(client):
    user = UserFactory()
    confirmed_totp_device(user)
    _unverified(client, user)

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))


def test_api__unverified_session__403_mfa_required(client):
    _unverified(client, UserFactory(roles=["super_admin"]))

    response = client.get("/v1/anything")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_admin__unverified_staff_session__redirects_to_mfa(client):
    user = UserFactory(roles=["super_admin"], is_staff=True)
    confirmed_totp_device(user)
    _unverified(client, user)

    for path in ("/admin/", "/admin/accounts/user/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:mfa_verify"))


def test_unverified_session__enrolment_and_logout__reachable(client):
    _unverified(client, UserFactory())

    assert client.get(reverse("accounts:mfa_enrol")).status_code == 200
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_admin__anonymous__sent_to_portal_login(client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert response.status_code == 200


def test_admin__verified_person_without_staff__refused(client, verified_client):
    client = verified_client(UserFactory(roles=["super_admin"]))

    response = client.get("/admin/login/")

    assert response.status_code == 403


def test_admin__verified_staff__gets_in(verified_client):
    client = verified_client(UserFactory(roles=["super_admin"], is_staff=True))

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_admin__totp_secrets__not_registered(verified_client):
    client = verified_client(UserFactory(roles=["super_admin"], is_staff=True, is_superuser=True))

    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
