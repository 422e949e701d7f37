"""A super admin resets someone's MFA from the person's page: audited, with a reason."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import BackupCode, BackupCodeDevice
from apps.accounts.services.mfa import totp_enrolment_confirm, totp_enrolment_start
from tests.accounts.mfa_support import code_for, events, password_login
from tests.conftest import verify_session
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _enrol(user):
    device = totp_enrolment_start(actor=user)
    totp_enrolment_confirm(actor=user, device=device, code=code_for(device))


def _sessions_of(user) -> int:
    return sum(
        1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    )


def test_mfa_reset__super_admin_with_reason__devices_gone_sessions_ended(verified_client):
    admin = UserFactory(roles=["super_admin"])
    person = UserFactory(roles=["ops"])
    _enrol(person)
    verify_session(Client(), person)  # the person is logged in elsewhere
    assert _sessions_of(person) == 1
    client = verified_client(admin)

    response = client.post(
        reverse("accounts:mfa_reset", args=[person.pk]), {"reason": "lost phone, OPS-12"}
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not BackupCodeDevice.objects.filter(user=person).exists()
    assert not BackupCode.objects.filter(device__user=person).exists()
    assert _sessions_of(person) == 0
    event = events("account.mfa_reset", target_id=str(person.pk)).get()
    assert event.actor == admin
    assert event.data["reason"] == "lost phone, OPS-12"


def test_mfa_reset__next_login__forces_enrolment(client, verified_client):
    admin = UserFactory(roles=["super_admin"])
    person = UserFactory()
    _enrol(person)
    verified_client(admin).post(
        reverse("accounts:mfa_reset", args=[person.pk]), {"reason": "new phone"}
    )
    other = Client()

    password_login(other, person)
    response = other.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_enrol"))


def test_mfa_reset__without_reason__field_error_nothing_changes(verified_client):
    admin = UserFactory(roles=["super_admin"])
    person = UserFactory()
    _enrol(person)

    response = verified_client(admin).post(
        reverse("accounts:mfa_reset", args=[person.pk]), {"reason": "  "}
    )

    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=person, confirmed=True).exists()
    assert not events("account.mfa_reset").exists()


@pytest.mark.parametrize("role", ["ops", "finance", "support", "incident_commander", "reviewer"])
def test_mfa_reset__without_permission__403(verified_client, role):
    actor = UserFactory(roles=[role])
    person = UserFactory()
    _enrol(person)

    response = verified_client(actor).post(
        reverse("accounts:mfa_reset", args=[person.pk]), {"reason": "because"}
    )

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=person, confirmed=True).exists()


def test_mfa_reset__own_account__refused(verified_client):
    admin = UserFactory(roles=["super_admin"])

    response = verified_client(admin).post(
        reverse("accounts:mfa_reset", args=[admin.pk]), {"reason": "mine"}
    )

    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=admin).exists()
    assert not events("account.mfa_reset").exists()
