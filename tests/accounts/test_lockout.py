"""Five wrong passwords or five wrong second-factor codes lock the account at that address
(django-axes); a flood from many addresses asks for the code first and locks nobody."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from apps.accounts.models import LoginLockout
from apps.accounts.services.mfa import totp_enrolment_confirm, totp_enrolment_start
from tests.accounts.mfa_support import code_for, events, password_login, verify
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _enrolled(user):
    return _enrolled_with_codes(user)[0]


def _enrolled_with_codes(user):
    device = totp_enrolment_start(actor=user)
    codes = totp_enrolment_confirm(actor=user, device=device, code=code_for(device))
    return device, codes


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


# --- per username and address ----------------------------------------------------------------

ATTACKER = "203.0.113.5"
OWNER_ADDRESS = "198.51.100.7"


def _login_from(client, user_or_name, password, address, **extra):
    username = getattr(user_or_name, "username", user_or_name)
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password, **extra},
        REMOTE_ADDR=address,
    )


def _attempts(username, address=None):
    rows = AccessAttempt.objects.filter(username=username)
    if address is not None:
        rows = rows.filter(ip_address=address)
    return sum(rows.values_list("failures_since_start", flat=True))


def test_login__five_wrong_passwords_from_one_address__locked_there_not_for_the_owner(
    client, settings
):
    user = UserFactory()
    attacker, owner = Client(), Client()

    responses = [_login_from(attacker, user, "wrong-password", ATTACKER) for _ in range(5)]
    again = _login_from(attacker, user, DEFAULT_PASSWORD, ATTACKER)
    owners = _login_from(owner, user, DEFAULT_PASSWORD, OWNER_ADDRESS)

    assert _is_lockout_page(responses[4]) and _is_lockout_page(again)
    assert "at your address" in again.content.decode()
    assert owners.status_code == 302
    assert owner.session["_auth_user_id"] == str(user.pk)
    (lock,) = LoginLockout.objects.all()
    assert (lock.username, lock.ip_address, lock.lifted_at) == (user.username, ATTACKER, None)
    assert events("account.locked_out").first().data["ip_address"] == ATTACKER


def test_login__unknown_username_locked_at_an_address__row_kept_no_target():
    attacker = Client()

    for _ in range(5):
        _login_from(attacker, "nobody-here", "wrong-password", ATTACKER)

    assert LoginLockout.objects.get().username == "nobody-here"
    assert events("account.locked_out").first().target_id in (None, "")


def test_verify__five_wrong_codes_at_one_address__the_owner_elsewhere_gets_in():
    user = UserFactory()
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as clock:
        device = _enrolled(user)
        clock.shift(60)
        thief, owner = Client(), Client()
        _login_from(thief, user, DEFAULT_PASSWORD, ATTACKER)  # a leaked password
        responses = [
            thief.post(reverse("accounts:mfa_verify"), {"code": "000000"}, REMOTE_ADDR=ATTACKER)
            for _ in range(5)
        ]
        clock.shift(60)  # django-otp's own throttle of the device after wrong codes

        _login_from(owner, user, DEFAULT_PASSWORD, OWNER_ADDRESS)
        verified = owner.post(
            reverse("accounts:mfa_verify"), {"code": code_for(device)}, REMOTE_ADDR=OWNER_ADDRESS
        )

    assert _is_lockout_page(responses[4])
    assert verified.status_code == 302
    assert _attempts(user.username, ATTACKER) == 5
    assert _attempts(user.username, OWNER_ADDRESS) == 0


def test_lockout__behind_trusted_proxy__forwarded_client_address_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    user = UserFactory()
    attacker, owner = Client(), Client()

    for _ in range(5):
        attacker.post(
            reverse("accounts:login"),
            {"username": user.username, "password": "wrong-password"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"{OWNER_ADDRESS}, {ATTACKER}",  # the left part is forged
        )
    owners = owner.post(
        reverse("accounts:login"),
        {"username": user.username, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=OWNER_ADDRESS,
    )

    assert LoginLockout.objects.get().ip_address == ATTACKER
    assert owners.status_code == 302


def test_lockout__both_factors_passed__only_that_address_cleared():
    user = UserFactory()
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as clock:
        device = _enrolled(user)
        clock.shift(60)
        for _ in range(3):
            _login_from(Client(), user, "wrong-password", ATTACKER)
        owner = Client()
        for _ in range(2):
            _login_from(owner, user, "wrong-password", OWNER_ADDRESS)
        _login_from(owner, user, DEFAULT_PASSWORD, OWNER_ADDRESS)
        owner.post(
            reverse("accounts:mfa_verify"), {"code": code_for(device)}, REMOTE_ADDR=OWNER_ADDRESS
        )

    assert _attempts(user.username, OWNER_ADDRESS) == 0
    assert _attempts(user.username, ATTACKER) == 3


# --- a flood from many addresses -----------------------------------------------------------


def _flood(username, *, addresses=4, each=3):
    """Failures on ``username`` from many addresses, none of them locked."""
    for n in range(addresses):
        for _ in range(each):
            _login_from(Client(), username, "wrong-password", f"192.0.2.{n + 10}")


def test_flood__password_alone__code_asked_nothing_checked_nothing_counted(settings):
    user = UserFactory()
    _enrolled(user)
    _flood(user.username)
    before = _attempts(user.username)
    owner = Client()

    response = _login_from(owner, user, DEFAULT_PASSWORD, OWNER_ADDRESS)

    assert response.status_code == 200
    assert 'id="code-first-message"' in response.content.decode()
    assert "code" in response.context["form"].fields
    assert "_auth_user_id" not in owner.session
    assert _attempts(user.username) == before
    assert not LoginLockout.objects.exists()


def test_flood__password_and_backup_code__owner_logged_in_and_verified():
    user = UserFactory()
    _device, codes = _enrolled_with_codes(user)
    _flood(user.username)
    owner = Client()

    response = _login_from(owner, user, DEFAULT_PASSWORD, OWNER_ADDRESS, code=codes[0])

    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(user.pk)
    assert owner.get(reverse("accounts:profile"), REMOTE_ADDR=OWNER_ADDRESS).status_code == 200
    assert events("account.mfa_verified", target_id=str(user.pk)).exists()


def test_flood__password_and_authenticator_code__owner_logged_in():
    user = UserFactory()
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as clock:
        device = _enrolled(user)
        clock.shift(60)
        _flood(user.username)
        owner = Client()

        response = _login_from(owner, user, DEFAULT_PASSWORD, OWNER_ADDRESS, code=code_for(device))

        assert response.status_code == 302
        assert owner.get(reverse("accounts:profile"), REMOTE_ADDR=OWNER_ADDRESS).status_code == 200


def test_flood__wrong_password_and_wrong_code__same_answer_both_counted():
    user = UserFactory()
    _device, codes = _enrolled_with_codes(user)
    _flood(user.username)
    guesser = "192.0.2.200"
    before = _attempts(user.username, guesser)

    wrong_password = _login_from(Client(), user, "wrong-password", guesser, code=codes[0])
    wrong_code = _login_from(Client(), user, DEFAULT_PASSWORD, guesser, code="zzzz-zzzz-zzzz")

    assert wrong_password.status_code == wrong_code.status_code == 200
    errors = [r.context["form"].non_field_errors() for r in (wrong_password, wrong_code)]
    assert errors[0] == errors[1]
    assert "password and code" in str(errors[0])
    assert _attempts(user.username, guesser) == before + 2
    assert events("account.mfa_failed", target_id=str(user.pk)).first().data["stage"] == "login"


def test_flood__not_enrolled_yet__password_alone_leads_to_enrolment():
    user = UserFactory()
    _flood(user.username)
    owner = Client()

    response = _login_from(owner, user, DEFAULT_PASSWORD, OWNER_ADDRESS, code="")

    assert response.status_code == 302
    follow = owner.get(response["Location"], REMOTE_ADDR=OWNER_ADDRESS)
    assert follow.status_code == 302
    assert follow["Location"].startswith(reverse("accounts:mfa_enrol"))


def test_flood__below_threshold__plain_login(settings):
    settings.LOCKOUT_FLOOD_THRESHOLD = 13
    user = UserFactory()
    _enrolled(user)
    _flood(user.username)  # 12 failures

    response = _login_from(Client(), user, DEFAULT_PASSWORD, OWNER_ADDRESS)

    assert response.status_code == 302
