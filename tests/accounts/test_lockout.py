"""Five wrong passwords or five wrong second-factor codes lock the account (django-axes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from apps.accounts.services.mfa import totp_enrolment_confirm, totp_enrolment_start
from tests.accounts.mfa_support import code_for, events, password_login, verify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _enrolled(user):
    device = totp_enrolment_start(actor=user)
    totp_enrolment_confirm(actor=user, device=device, code=code_for(device))
    return device


def _is_lockout_page(response) -> bool:
    return response.status_code == 403 and "locked for 15 minutes" in response.content.decode()


def test_login__five_wrong_passwords__locked_even_for_the_right_one(client, settings):
    user = UserFactory()

    responses = [password_login(client, user, "wrong-password") for _ in range(5)]
    sixth = password_login(client, user)

    assert all(r.status_code == 200 for r in responses[:4])
    assert _is_lockout_page(responses[4])
    assert _is_lockout_page(sixth)
    assert "_auth_user_id" not in client.session
    assert events("account.locked_out", target_id=str(user.pk)).exists()
    assert events("account.locked_out").first().data["username"] == user.username


def test_login__four_wrong_passwords__right_one_still_works(client):
    user = UserFactory()

    for _ in range(4):
        password_login(client, user, "wrong-password")
    response = password_login(client, user)

    assert response.status_code == 302
    assert not events("account.locked_out").exists()


def test_verify__five_wrong_codes__session_ended_and_account_locked(client):
    user = UserFactory()
    device = _enrolled(user)
    password_login(client, user)

    responses = [verify(client, "000000") for _ in range(4)]
    fifth = verify(client, "111111")

    assert all(r.status_code == 200 for r in responses)
    assert _is_lockout_page(fifth)
    assert "_auth_user_id" not in client.session
    assert events("account.mfa_failed", target_id=str(user.pk)).count() == 5
    assert events("account.locked_out", target_id=str(user.pk)).exists()
    # The password no longer opens a session, nor does the right code.
    assert _is_lockout_page(password_login(client, user))
    assert client.get(reverse("accounts:mfa_verify")).status_code == 302
    assert device.user_id == user.pk


def test_verify__wrong_backup_codes__count_too(client):
    user = UserFactory()
    _enrolled(user)
    password_login(client, user)

    for _ in range(4):
        verify(client, "aaaa-bbbb-cccc")
    fifth = verify(client, "dddd-eeee-ffff")

    assert _is_lockout_page(fifth)


def test_lockout__correct_password_between_failures__does_not_reset_the_count(client):
    user = UserFactory()
    _enrolled(user)
    for _ in range(4):
        password_login(client, user, "wrong-password")

    assert password_login(client, user).status_code == 302
    response = verify(client, "000000")

    assert _is_lockout_page(response)


def test_lockout__both_factors_passed__count_cleared(client):
    user = UserFactory()
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as clock:
        device = _enrolled(user)
        clock.shift(60)
        for _ in range(4):
            password_login(client, user, "wrong-password")
        password_login(client, user)
        assert verify(client, code_for(device)).status_code == 302
        client.post(reverse("accounts:logout"))

        response = password_login(client, user, "wrong-password")

    assert response.status_code == 200


def test_lockout__after_lockout_seconds__login_works_again(client, settings):
    user = UserFactory()
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as clock:
        for _ in range(5):
            password_login(client, user, "wrong-password")
        clock.shift(settings.AXES_COOLOFF_TIME - timedelta(seconds=30))
        assert _is_lockout_page(password_login(client, user))
        # That refused attempt restarted the cool-off; wait it out in full.
        clock.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))

        response = password_login(client, user)

        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)


def test_lockout__message_states_configured_minutes(client, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=120)
    user = UserFactory()

    for _ in range(5):
        response = password_login(client, user, "wrong-password")

    assert response.status_code == 403
    assert "locked for 2 minutes" in response.content.decode()
