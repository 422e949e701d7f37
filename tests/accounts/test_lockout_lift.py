"""Super admins see the current login lockouts and lift them (page and API), audited."""

from __future__ import annotations

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from apps.accounts.models import LoginLockout
from tests.accounts.mfa_support import events
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.5"
LOCKOUTS = "/v1/lockouts/"
LIFT = "/v1/lockouts/lift"


def _login_from(user, password, address):
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": password},
        REMOTE_ADDR=address,
    )
    return client, response


def _lock(user, address=ATTACKER, times=5):
    for _ in range(times):
        _login_from(user, "wrong-password", address)


def test_lockouts_page__super_admin__lists_username_address_failures_since_until(
    make_user, verified_client
):
    victim = UserFactory(username="victim")
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as clock:
        _lock(victim)
        clock.shift(120)
        _login_from(victim, "wrong-password", ATTACKER)  # refused while locked: counted
        client = verified_client(make_user("super_admin"))

        response = client.get(reverse("accounts:lockouts"))

    assert response.status_code == 200
    (item,) = response.context["lockouts"]
    assert (item.username, item.ip_address, item.failures) == ("victim", ATTACKER, 6)
    assert item.since.isoformat() == "2026-03-01T10:00:00+00:00"
    assert item.until.isoformat() == "2026-03-01T10:17:00+00:00"  # last failure + 15 min
    html = response.content.decode()
    assert "victim" in html and ATTACKER in html
    assert reverse("accounts:lockout_lift") in html


@pytest.mark.parametrize("role", ["ops", "finance", "incident_commander", "support", "reviewer"])
def test_lockouts_page__other_roles__refused_and_not_in_menu(make_user, verified_client, role):
    client = verified_client(make_user(role))

    assert client.get(reverse("accounts:lockouts")).status_code == 403
    assert reverse("accounts:lockouts") not in client.get(reverse("core:home")).content.decode()


def test_navigation__super_admin__shows_lockouts(make_user, verified_client):
    client = verified_client(make_user("super_admin"))

    assert reverse("accounts:lockouts") in client.get(reverse("core:home")).content.decode()


def test_lockouts_page__flooded_account__listed_with_address_count(make_user, verified_client):
    victim = UserFactory(username="victim")
    for n in range(4):
        _lock(victim, address=f"192.0.2.{n + 1}", times=3)
    client = verified_client(make_user("super_admin"))

    response = client.get(reverse("accounts:lockouts"))

    assert response.context["lockouts"] == []
    (flooded,) = response.context["flooded"]
    # From the 10th failure on, a password alone is not checked (the code is asked first).
    assert (flooded.username, flooded.addresses, flooded.failures) == ("victim", 4, 10)


def test_lift_page__super_admin__lock_gone_audited_and_login_works_again(
    make_user, verified_client
):
    victim = UserFactory(username="victim")
    _lock(victim)
    admin = make_user("super_admin")
    client = verified_client(admin)

    response = client.post(
        reverse("accounts:lockout_lift"),
        {"username": "victim", "ip_address": ATTACKER, "reason": "ticket OPS-12: it was me"},
    )

    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="victim", ip_address=ATTACKER).exists()
    lock = LoginLockout.objects.get()
    assert (lock.lifted_by, lock.lift_reason) == (admin, "ticket OPS-12: it was me")
    event = events("account.lockout_lifted").get()
    assert event.actor_id == admin.pk
    assert event.data["username"] == "victim"
    assert event.data["ip_address"] == ATTACKER
    assert event.data["failures"] == 5
    person, login = _login_from(victim, DEFAULT_PASSWORD, ATTACKER)
    assert login.status_code == 302
    assert client.get(reverse("accounts:lockouts")).context["lockouts"] == []


def test_lift_page__not_locked__error_shown_nothing_changed(make_user, verified_client):
    victim = UserFactory(username="victim")
    _lock(victim, times=3)
    client = verified_client(make_user("super_admin"))

    response = client.post(
        reverse("accounts:lockout_lift"), {"username": "victim", "ip_address": ATTACKER}
    )

    assert response.status_code == 400
    assert "not locked at this address" in response.content.decode()
    assert AccessAttempt.objects.filter(username="victim").exists()
    assert not events("account.lockout_lifted").exists()


def test_lift_page__ops__refused_nothing_changed(make_user, verified_client):
    victim = UserFactory(username="victim")
    _lock(victim)
    client = verified_client(make_user("ops"))

    response = client.post(
        reverse("accounts:lockout_lift"), {"username": "victim", "ip_address": ATTACKER}
    )

    assert response.status_code == 403
    assert LoginLockout.objects.get().lifted_at is None
    assert AccessAttempt.objects.filter(username="victim").exists()


def test_lockout__lifted_then_locked_again__a_new_row_since_the_new_lock(
    make_user, verified_client
):
    victim = UserFactory(username="victim")
    client = verified_client(make_user("super_admin"))
    _lock(victim)
    client.post(reverse("accounts:lockout_lift"), {"username": "victim", "ip_address": ATTACKER})

    _lock(victim)

    assert LoginLockout.objects.count() == 2
    assert LoginLockout.objects.filter(lifted_at__isnull=True).count() == 1


# --- API -----------------------------------------------------------------------------------


def test_lockouts_api__super_admin__current_lockouts(make_user, verified_api_client):
    victim = UserFactory(username="victim")
    _lock(victim)
    api = verified_api_client(make_user("super_admin"))

    response = api.get(LOCKOUTS)

    assert response.status_code == 200
    (item,) = response.json()
    assert item["username"] == "victim"
    assert item["ip_address"] == ATTACKER
    assert item["failures"] == 5
    assert item["since"] and item["until"]


def test_lift_api__super_admin__lifted_and_audited(make_user, verified_api_client):
    victim = UserFactory(username="victim")
    _lock(victim)
    admin = make_user("super_admin")
    api = verified_api_client(admin)

    response = api.post(
        LIFT, {"username": "victim", "ip_address": ATTACKER, "reason": "owner"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["ip_address"], body["lifted_by"]) == (
        "victim",
        ATTACKER,
        admin.username,
    )
    assert not AccessAttempt.objects.filter(username="victim").exists()
    assert events("account.lockout_lifted", actor_id=admin.pk).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "victim", "ip_address": "not-an-address"}, "ip_address"),
        ({"ip_address": ATTACKER}, "username"),
        ({"username": "victim", "ip_address": "198.51.100.1"}, "username"),
    ],
    ids=["bad address", "no username", "not locked there"],
)
def test_lift_api__bad_input__400_field_error_nothing_changed(
    make_user, verified_api_client, body, field
):
    victim = UserFactory(username="victim")
    _lock(victim)
    api = verified_api_client(make_user("super_admin"))

    response = api.post(LIFT, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert AccessAttempt.objects.filter(username="victim").exists()
    assert not events("account.lockout_lifted").exists()


def test_lift_api__ops__403(make_user, verified_api_client):
    victim = UserFactory(username="victim")
    _lock(victim)
    api = verified_api_client(make_user("ops"))

    response = api.post(LIFT, {"username": "victim", "ip_address": ATTACKER}, format="json")

    assert response.status_code == 403
    assert LoginLockout.objects.get().lifted_at is None
