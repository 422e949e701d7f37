"""Session lifetimes: 30 minutes idle, 12 hours at most; the login is stamped and audited."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from apps.accounts.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from tests.accounts.mfa_support import events, password_login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = "2026-03-02 08:00:00+00:00"
EXPIRED = f"{reverse('accounts:login')}?expired=1"


def test_login__password__stamps_session_and_audits(client):
    user = UserFactory()
    with time_machine.travel(START, tick=False):
        response = password_login(client, user)

        assert response.status_code == 302
        assert client.session[SESSION_LOGIN_AT] == client.session[SESSION_LAST_SEEN]
    event = events("account.login", target_id=str(user.pk)).get()
    assert event.actor == user


def test_session__idle_past_timeout__logged_out(verified_client, settings):
    user = UserFactory(roles=["ops"])
    with time_machine.travel(START, tick=False) as clock:
        client = verified_client(user)
        clock.shift(settings.SESSION_IDLE_TIMEOUT - 60)
        assert client.get("/").status_code == 200  # still within the idle window

        clock.shift(settings.SESSION_IDLE_TIMEOUT + 1)
        response = client.get("/")

        assert response.status_code == 302
        assert response["Location"] == EXPIRED
        assert "_auth_user_id" not in client.session
        assert client.get("/")["Location"].startswith(reverse("accounts:login"))


def test_session__active_past_absolute_lifetime__logged_out(verified_client, settings):
    user = UserFactory(roles=["ops"])
    step = settings.SESSION_IDLE_TIMEOUT // 2
    with time_machine.travel(START, tick=False) as clock:
        client = verified_client(user)
        elapsed = 0
        while elapsed + step <= settings.SESSION_ABSOLUTE_LIFETIME:
            clock.shift(step)
            elapsed += step
            assert client.get("/").status_code == 200, f"refused after {elapsed}s"

        clock.shift(settings.SESSION_ABSOLUTE_LIFETIME - elapsed + 1)
        response = client.get("/")

        assert response.status_code == 302
        assert response["Location"] == EXPIRED
        assert "_auth_user_id" not in client.session


def test_session__expired__api_answers_401_json(verified_api_client, settings):
    user = UserFactory(roles=["ops"])
    with time_machine.travel(START, tick=False) as clock:
        api = verified_api_client(user)
        clock.shift(settings.SESSION_IDLE_TIMEOUT + 1)

        response = api.get("/v1/anything")

        assert response.status_code == 401
        assert response.json()["error"]["code"] == "session_expired"


def test_login_page__expired_flag__explains(client):
    response = client.get(EXPIRED)

    assert response.status_code == 200
    assert "Your session has expired" in response.content.decode()
