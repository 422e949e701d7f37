"""Shared fixtures, and the rules for tests that need PostgreSQL, Redis or a browser.

Marked tests run when their service is there and skip with a stated reason otherwise.
With OPSPORTAL_REQUIRE_SERVICES=1 (set by .ci/run for its full run) a missing service
fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.factories import UserFactory, make_token

pytest_plugins = ["tests.celery_worker"]

REQUIRE_SERVICES = os.environ.get("OPSPORTAL_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Debian's package names the binary prometheus-alertmanager; upstream's is alertmanager.
ALERTMANAGER_NAMES = ("prometheus-alertmanager", "alertmanager")


def alertmanager_binary() -> str | None:
    explicit = os.environ.get("ALERTMANAGER_PATH")
    if explicit:
        return explicit if shutil.which(explicit) else None
    return next((found for name in ALERTMANAGER_NAMES if (found := shutil.which(name))), None)


def pytest_configure(config):
    """Production password hashing costs ~0.3 s a password; tests only need a working
    hasher. Set for the whole run, so module- and session-scoped fixtures that make people
    get it too (a function-scoped override starts after them)."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()


def _redis_available() -> tuple[bool, str]:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False, "REDIS_URL is not set"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001
        return False, f"Redis at REDIS_URL does not answer ({type(exc).__name__})"
    return True, ""


def _missing_service_reason(item) -> str | None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL to a PostgreSQL database"
    if item.get_closest_marker("redis"):
        ok, why = _redis_available()
        if not ok:
            return f"needs Redis: {why}"
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    if item.get_closest_marker("alertmanager") and alertmanager_binary() is None:
        return "needs Alertmanager (apt-get install prometheus-alertmanager)"
    return None


def pytest_runtest_setup(item):
    reason = _missing_service_reason(item)
    if reason is None:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"OPSPORTAL_REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
    pytest.skip(reason)


def _commit_without_waiting_for_the_disk(sender, connection, **kwargs):
    """The test database's commits do not wait for their WAL to reach the disk.

    What a commit makes visible to other connections is the same; only a crash of the
    PostgreSQL server could lose the last commits, and a test database is thrown away. The
    migrations, the flush after a transactional test and the content types made again after
    it commit a few hundred times each, and each commit otherwise waits for an fsync.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


connection_created.connect(_commit_without_waiting_for_the_disk, dispatch_uid="tests.async_commit")


@pytest.fixture(scope="session", autouse=True)
def _flush_past_truncate_triggers():
    """Let the flush after a transactional test empty the append-only tables.

    On PostgreSQL the audit tables, chain heads, flag states and the war-room log refuse
    TRUNCATE (``apps.core.migration_operations``), and Django's flush is one TRUNCATE of
    every table. The test database user is a superuser, so the flush runs in replica mode,
    where ordinary triggers do not fire, for the length of its own transaction only.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush
    original_sql_flush = DatabaseOperations.sql_flush

    def execute_sql_flush(self, sql_list):
        return original(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        # One DELETE a table instead of one TRUNCATE of them all: TRUNCATE gives each of
        # the ~150 tables and their indexes new files, which took about 4 s a transactional
        # test; the few rows a test leaves are deleted in milliseconds. Replica mode (above)
        # skips the foreign-key triggers, so the order of the tables does not matter.
        if reset_sequences or allow_cascade:
            return original_sql_flush(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [f"DELETE FROM {self.quote_name(table)};" for table in tables]

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original
    DatabaseOperations.sql_flush = original_sql_flush


@pytest.fixture(scope="session", autouse=True)
def _evidence_storage_outside_the_project(tmp_path_factory):
    """Incident evidence written by any test (demo steps, services) goes to a temporary
    folder, not the project's var/evidence."""
    from django.conf import settings as django_settings
    from django.test import override_settings

    storages = {
        **django_settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("evidence")), "base_url": None},
        },
    }
    with override_settings(STORAGES=storages):
        yield


# --- people and sessions ------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_content_type_cache():
    """A transactional test's flush recreates content types with new ids on PostgreSQL;
    a cached old id would then break the next audit row's foreign key."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _fresh_token_cache():
    """API tokens cached by one test's requests must not answer for the next test's."""
    from apps.accounts.authentication import forget_cached_tokens

    forget_cached_tokens()


@pytest.fixture(autouse=True)
def _loopback_receivers_allowed(settings):
    """Tests post webhooks to receivers on 127.0.0.1: allow that address (production
    allows none). Tests of the destination checks set NOTIFY_ALLOWED_HOSTS themselves."""
    settings.NOTIFY_ALLOWED_HOSTS = ["127.0.0.1"]


def confirmed_totp_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device


def fresh_code(user) -> str:
    """The TOTP code of ``user``'s confirmed device at this moment (as their app shows it)."""
    device = confirmed_totp_device(user)
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def reset_replay(user) -> None:
    """Forget the last accepted time step, so one person can approve twice within 30 s.

    Replay protection itself is the approvals tests' subject; elsewhere it only gets in
    the way of a second approval by the same person in the same test.
    """
    device = confirmed_totp_device(user)
    device.refresh_from_db()
    device.last_t = -1
    device.save(update_fields=["last_t"])


def verify_session(client, user) -> None:
    """Log ``user`` in on ``client`` with a session that has passed MFA."""
    device = confirmed_totp_device(user)
    client.force_login(user, backend="apps.accounts.backends.HumanModelBackend")
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()


@pytest.fixture
def make_user(db):
    def _make(*roles: str, **fields):
        return UserFactory(roles=list(roles), **fields)

    return _make


@pytest.fixture
def verified_client(db, client):
    """``verified_client(user)`` -> a Django test client logged in with MFA passed."""

    def _login(user):
        verify_session(client, user)
        return client

    return _login


@pytest.fixture
def api_client(db):
    return APIClient()


@pytest.fixture
def verified_api_client(db):
    """``verified_api_client(user)`` -> a DRF client on an MFA-verified session (CSRF on)."""

    def _login(user):
        api = APIClient(enforce_csrf_checks=False)
        verify_session(api, user)
        return api

    return _login


@pytest.fixture
def token_client(db):
    """``token_client(scopes=[...])`` -> (APIClient with the bearer token, token)."""

    def _make(*, scopes, **kwargs):
        token, plaintext = make_token(scopes=scopes, **kwargs)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        return api, token

    return _make
