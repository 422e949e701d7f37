"""TOTP enrolment with a QR code, verification with TOTP or backup codes, step-up."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts import mfa
from apps.accounts.models import BackupCode, BackupCodeDevice
from apps.accounts.services.mfa import totp_enrolment_confirm, totp_enrolment_start
from tests.accounts.mfa_support import code_for, events, password_login, verify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BACKUP_CODE = re.compile(r'<code class="backup-code">([a-z0-9-]+)</code>')


def _enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = totp_enrolment_start(actor=user)
    codes = totp_enrolment_confirm(actor=user, device=device, code=code_for(device))
    device.refresh_from_db()
    return device, codes


def test_enrol_page__first_login__shows_qr_code_and_secret(client):
    user = UserFactory()
    password_login(client, user)

    response = client.get(reverse("accounts:mfa_enrol"))

    device = TOTPDevice.objects.get(user=user)
    assert response.status_code == 200
    assert device.confirmed is False
    assert 'src="data:image/svg+xml;base64,' in response.content.decode()
    assert mfa.base32_secret(device) in response.content.decode()
    # Reloading keeps the same pending secret.
    client.get(reverse("accounts:mfa_enrol"))
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_enrol__correct_code__confirms_device_verifies_session_and_shows_codes_once(client):
    user = UserFactory()
    password_login(client, user)
    client.get(reverse("accounts:mfa_enrol"))
    device = TOTPDevice.objects.get(user=user)

    response = client.post(reverse("accounts:mfa_enrol"), {"code": code_for(device), "next": "/"})

    codes = BACKUP_CODE.findall(response.content.decode())
    assert response.status_code == 200
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed is True
    stored = BackupCode.objects.filter(device__user=user)
    assert stored.count() == 10
    hashes = " ".join(stored.values_list("code_hash", flat=True))
    assert not any(code.replace("-", "") in hashes or code in hashes for code in codes)
    assert events("account.mfa_enrolled", target_id=str(user.pk)).count() == 1
    assert client.get("/").status_code == 200


def test_enrol__wrong_code__nothing_confirmed_and_failure_audited(client):
    user = UserFactory()
    password_login(client, user)
    client.get(reverse("accounts:mfa_enrol"))

    response = client.post(reverse("accounts:mfa_enrol"), {"code": "000000"})

    assert response.status_code == 200
    assert "not valid" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert not BackupCodeDevice.objects.filter(user=user).exists()
    assert events("account.mfa_failed", target_id=str(user.pk)).count() == 1
    assert client.get("/").status_code == 302


def test_enrol__already_enrolled_unverified_session__sent_to_verify(client):
    user = UserFactory()
    _enrolled(user)
    password_login(client, user)

    response = client.get(reverse("accounts:mfa_enrol"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_verify__totp_code__verifies_and_follows_next(client):
    user = UserFactory()
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as clock:
        device, _codes = _enrolled(user)
        clock.shift(60)
        password_login(client, user)

        response = verify(client, code_for(device), next_url=reverse("accounts:profile"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    assert events("account.mfa_verified", target_id=str(user.pk)).count() == 1


def test_verify__next_to_other_site__ignored(client):
    user = UserFactory()
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as clock:
        device, _codes = _enrolled(user)
        clock.shift(60)
        password_login(client, user)

        response = verify(client, code_for(device), next_url="https://evil.example/")

    assert response["Location"] == "/"


def test_verify__backup_code__works_once(client):
    user = UserFactory()
    _device, codes = _enrolled(user)
    password_login(client, user)

    first = verify(client, codes[0])
    client.post(reverse("accounts:logout"))
    password_login(client, user)
    second = verify(client, codes[0])

    assert first.status_code == 302
    assert second.status_code == 200
    assert "not valid or was already used" in second.content.decode()
    assert client.get("/").status_code == 302
    assert mfa.remaining_backup_codes(user) == 9
    # Another unused code still works, typed with spaces and in upper case.
    third = verify(client, codes[1].upper().replace("-", " "))
    assert third.status_code == 302
    assert client.get("/").status_code == 200


def test_verify__totp_code_replayed__refused(client):
    user = UserFactory()
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as clock:
        device, _codes = _enrolled(user)
        clock.shift(60)
        code = code_for(device)
        password_login(client, user)
        assert verify(client, code).status_code == 302
        client.post(reverse("accounts:logout"))
        password_login(client, user)

        response = verify(client, code)

        assert response.status_code == 200
        assert "not valid or was already used" in response.content.decode()
        assert client.get("/")["Location"].startswith(reverse("accounts:mfa_verify"))


def test_verify_fresh_code__replay__refused():
    user = UserFactory()
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as clock:
        device, codes = _enrolled(user)
        clock.shift(60)
        code = code_for(device)

        assert mfa.verify_fresh_code(user, code) is True
        assert mfa.verify_fresh_code(user, code) is False
        assert mfa.verify_fresh_code(user, codes[0]) is False  # backup codes do not count
        clock.shift(30)
        assert mfa.verify_fresh_code(user, code_for(device)) is True


def test_step_up__fresh_code__recorded_for_the_window(rf, client, verified_client, settings):
    user = UserFactory()
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as clock:
        device, _codes = _enrolled(user)
        client = verified_client(user)
        clock.shift(60)
        request = rf.post("/")
        request.user = user
        request.session = client.session

        assert mfa.has_recent_step_up(request) is False
        assert mfa.step_up(request, code_for(device)) is True
        assert mfa.has_recent_step_up(request) is True
        clock.shift(settings.MFA_STEP_UP_WINDOW + 1)
        assert mfa.has_recent_step_up(request) is False
        assert mfa.has_recent_step_up(request, within=settings.MFA_STEP_UP_WINDOW + 60) is True


def test_step_up__wrong_code__refused_and_counted(rf, client, verified_client):
    user = UserFactory()
    _enrolled(user)
    client = verified_client(user)
    request = rf.post("/")
    request.user = user
    request.session = client.session

    assert mfa.step_up(request, "123456") is False
    assert mfa.has_recent_step_up(request) is False
    assert events("account.mfa_failed", target_id=str(user.pk), data__stage="step_up").exists()


def test_backup_codes_regenerate__fresh_code__old_codes_stop_working(client, verified_client):
    user = UserFactory()
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as clock:
        device, old_codes = _enrolled(user)
        client = verified_client(user)
        clock.shift(60)

        response = client.post(reverse("accounts:backup_codes"), {"code": code_for(device)})

    new_codes = BACKUP_CODE.findall(response.content.decode())
    assert response.status_code == 200
    assert len(new_codes) == 10 and set(new_codes).isdisjoint(old_codes)
    assert mfa.verify_backup_code(user, old_codes[0]) is None
    assert mfa.verify_backup_code(user, new_codes[0]) is not None
    assert events("account.backup_codes_regenerated", target_id=str(user.pk)).count() == 1


def test_backup_codes_regenerate__wrong_code__nothing_changes(client, verified_client):
    user = UserFactory()
    _device, old_codes = _enrolled(user)
    client = verified_client(user)
    hashes = set(BackupCode.objects.values_list("code_hash", flat=True))

    response = client.post(reverse("accounts:backup_codes"), {"code": "999999"})

    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert set(BackupCode.objects.values_list("code_hash", flat=True)) == hashes
