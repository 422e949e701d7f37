"""The first login as a person lives it: password, TOTP enrolment from the QR page, backup
codes, logout, a login with a backup code, and that code refused the second time."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import totp

from apps.accounts.models import BackupCode
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code_from_secret(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def _log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form.card button[type=submit]")


def _log_out(page) -> None:
    page.click("header form button[type=submit]")
    page.wait_for_url("**/accounts/login/")


def test_first_login__enrol_totp_then_backup_code_once(page, live_server):
    user = UserFactory(username="browser-person", roles=["ops"])

    _log_in(page, user.username)
    page.wait_for_url("**/accounts/mfa/enrol/**")
    assert page.locator("img#totp-qr").get_attribute("src").startswith("data:image/svg+xml")
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    page.fill("input[name=code]", _code_from_secret(secret))
    page.click("form.card button[type=submit]")

    codes = page.locator("code.backup-code").all_inner_texts()
    assert len(codes) == 10
    assert BackupCode.objects.filter(device__user=user).count() == 10
    page.click("#continue")
    page.wait_for_url(f"{live_server.url}/")
    assert "Welcome" in page.locator("h1").inner_text()

    _log_out(page)
    _log_in(page, user.username)
    page.wait_for_url("**/accounts/mfa/verify/**")
    page.fill("input[name=code]", codes[0])
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "Welcome" in page.locator("h1").inner_text()

    _log_out(page)
    _log_in(page, user.username)
    page.wait_for_url("**/accounts/mfa/verify/**")
    page.fill("input[name=code]", codes[0])
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/mfa/verify/" in page.url
    assert "not valid or was already used" in page.locator("form.card").inner_text()
    assert BackupCode.objects.filter(device__user=user, used_at__isnull=False).count() == 1
