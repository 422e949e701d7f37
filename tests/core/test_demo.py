"""The embedded quickstart: ``manage.py demo`` and ``manage.py demo_totp``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils.module_loading import autodiscover_modules
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.core import demo

ROLES = ["super_admin", "ops", "finance", "reviewer", "support", "incident_commander"]


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def isolated_steps(monkeypatch):
    """Let a test register demo steps without leaving them behind for other tests."""
    autodiscover_modules("demo")
    monkeypatch.setattr(demo, "_STEPS", dict(demo._STEPS))


@pytest.fixture
def people_only(monkeypatch):
    """The demo's people without the apps' demo data: for tests about the people and their
    codes (the whole demo runs in the fresh-database test and the serving test)."""
    autodiscover_modules("demo")
    monkeypatch.setattr(demo, "_STEPS", {})


@pytest.mark.django_db
def test_demo__fresh_database__one_person_per_role_with_confirmed_totp():
    output = run_demo()

    users = get_user_model().objects.filter(username__in=[u for u, _r, _n in demo.DEMO_PEOPLE])
    assert users.count() == len(demo.DEMO_PEOPLE)
    for role in ROLES:
        assert users.filter(groups__name=role).exists(), role
    assert users.filter(groups__name="super_admin").count() == 2
    for user in users:
        assert user.check_password(demo.DEFAULT_DEMO_PASSWORD)
        device = TOTPDevice.objects.get(user=user, name=demo.DEMO_DEVICE_NAME)
        assert device.confirmed
        assert device.config_url in output
        assert device.config_url.startswith("otpauth://totp/")
    assert f"Password for everyone: {demo.DEFAULT_DEMO_PASSWORD}" in output
    assert "demo_totp" in output


@pytest.mark.django_db
def test_demo__run_twice__keeps_people_and_their_totp_secrets(people_only):
    run_demo()
    keys = dict(TOTPDevice.objects.values_list("user__username", "key"))
    user_ids = set(get_user_model().objects.values_list("pk", flat=True))

    output = run_demo("--password", "another-demo-password")

    assert dict(TOTPDevice.objects.values_list("user__username", "key")) == keys
    assert set(get_user_model().objects.values_list("pk", flat=True)) == user_ids
    assert "(kept)" in output and "(created)" not in output
    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password("another-demo-password")


@pytest.mark.django_db
def test_demo_totp__demo_person__prints_a_code_the_device_accepts(people_only):
    run_demo()
    out = StringIO()

    call_command("demo_totp", "ops", stdout=out)

    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    device = TOTPDevice.objects.get(user__username="ops", name=demo.DEMO_DEVICE_NAME)
    assert device.verify_token(code)


@pytest.mark.django_db
def test_demo__newcomer__logs_in_with_printed_password_and_demo_totp_code(client, people_only):
    run_demo()

    login = client.post(
        "/accounts/login/", {"username": "ops", "password": demo.DEFAULT_DEMO_PASSWORD}
    )
    assert login.status_code == 302
    assert client.get("/").status_code == 302  # MFA not passed yet
    code = StringIO()
    call_command("demo_totp", "ops", stdout=code)
    verify = client.post("/accounts/mfa/verify/", {"code": code.getvalue().strip()})

    assert verify.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert home.context["user"].username == "ops"


@pytest.mark.django_db
def test_demo_totp__person_without_demo_device__clear_error(make_user):
    person = make_user("ops")
    TOTPDevice.objects.create(user=person, name="own phone", confirmed=True)

    with pytest.raises(CommandError, match="has no demo TOTP device"):
        call_command("demo_totp", person.username, stdout=StringIO())


@pytest.mark.django_db
@override_settings(PRODUCTION=True)
def test_demo__production__refuses_and_creates_nobody():
    with pytest.raises(CommandError, match="production"):
        run_demo()
    assert not get_user_model().objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_demo_totp__production__refuses(people_only):
    run_demo()
    with override_settings(PRODUCTION=True), pytest.raises(CommandError, match="production"):
        call_command("demo_totp", "admin", stdout=StringIO())


@pytest.mark.django_db
def test_register_demo_step__registered_steps__run_in_order_after_the_people(people_only):
    calls = []

    def second(ctx):
        calls.append(("second", sorted(ctx.users)))
        ctx.say("second step ran")

    def first(ctx):
        calls.append(("first", ctx.users["admin"].username))

    demo.register_demo_step("zz-second", second, order=10_001)
    demo.register_demo_step("zz-first", first, order=10_000)

    output = run_demo()

    assert calls == [
        ("first", "admin"),
        ("second", sorted(u for u, _r, _n in demo.DEMO_PEOPLE)),
    ]
    assert "second step ran" in output
    assert output.index("zz-first") < output.index("zz-second")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.celery_worker
def test_demo__serving__login_page_up_with_worker_and_beat_until_sigterm(tmp_path):
    port, receiver_port = _free_port(), _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "OPSPORTAL_ENV"}
    }
    env["OPSPORTAL_VAR_DIR"] = str(tmp_path / "var")
    log_path = tmp_path / "demo.log"
    manage_py = str(Path(settings.BASE_DIR) / "manage.py")
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                manage_py,
                "demo",
                "--port",
                str(port),
                "--receiver-port",
                str(receiver_port),
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        login_status = ready_status = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.poll() is None:
            try:
                login_status = _get(f"http://127.0.0.1:{port}/accounts/login/")
                ready_status = _get(f"http://127.0.0.1:{port}/health/readiness")
                if " ready." in log_path.read_text() and "beat: Starting" in log_path.read_text():
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert process.poll() is None, log_path.read_text()
        assert login_status == 200, log_path.read_text()
        assert ready_status == 200, log_path.read_text()
        log_text = log_path.read_text()
        assert "beat: Starting" in log_text and " ready." in log_text, log_text
        # The worker delivers the demo's notifications to its loopback receiver: the test
        # messages that verify the demo people's webhooks, and the demo test page.
        received = tmp_path / "var" / "demo" / "webhooks.jsonl"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "warroom.page" not in _text(received):
            time.sleep(0.5)
        assert '"event": "notify.test"' in _text(received), log_path.read_text()
        assert '"event": "warroom.page"' in _text(received), log_path.read_text()

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, log_path.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    log_text = log_path.read_text()
    assert "Stopped." in log_text
    assert "otpauth://totp/" in log_text
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", receiver_port), timeout=2).close()
    # The worker's broker files went under var/ too (kombu's default is ./control).
    assert not (Path(settings.BASE_DIR) / "control").exists()


def _text(path: Path) -> str:
    return path.read_text() if path.exists() else ""
