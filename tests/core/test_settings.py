"""Production settings: secrets are mandatory, and ``check --deploy`` is clean."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

# Variables a developer's shell may carry that would change what is being tested.
_STRIPPED = {
    # Set by the browser fixtures for this test process only; never in a deployment.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEY",
    "AUDIT_CHAIN_KEY",
    "AUDIT_CHAIN_OLD_KEYS",
    "ALLOWED_HOSTS",
    "DEBUG",
    "OPSPORTAL_ENV",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "METRICS_TOKEN",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "DJANGO_SETTINGS_MODULE",
}


def production_env(tmp_path, **overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _STRIPPED}
    env.update(
        OPSPORTAL_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(45),  # 60 characters
        FIELD_ENCRYPTION_KEY=secrets.token_urlsafe(32),
        AUDIT_CHAIN_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="portal.example.com",
        OPSPORTAL_VAR_DIR=str(tmp_path / "var"),
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def start(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run what a production process runs at start-up: load the WSGI application."""
    command = args or ("-c", "import opsportal.wsgi")
    return subprocess.run(
        [sys.executable, *command],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SECRET_KEY", None, "SECRET_KEY is not set"),
        ("SECRET_KEY", "changeme", "SECRET_KEY is a placeholder"),
        ("SECRET_KEY", "django-insecure-" + "k" * 50, "SECRET_KEY is a placeholder"),
        ("SECRET_KEY", "short-but-random-Zq81", "SECRET_KEY is shorter than"),
        ("FIELD_ENCRYPTION_KEY", None, "FIELD_ENCRYPTION_KEY is not set"),
        ("FIELD_ENCRYPTION_KEY", "placeholder", "FIELD_ENCRYPTION_KEY is a placeholder"),
        ("AUDIT_CHAIN_KEY", None, "AUDIT_CHAIN_KEY is not set"),
        ("AUDIT_CHAIN_KEY", "changeme", "AUDIT_CHAIN_KEY is a placeholder"),
        ("AUDIT_CHAIN_KEY", "short-chain-key-Zq81", "AUDIT_CHAIN_KEY is shorter than"),
        ("ALLOWED_HOSTS", None, "ALLOWED_HOSTS is not set"),
    ],
)
def test_production_start__missing_or_placeholder_secret__stops_naming_it(
    tmp_path, variable, value, message
):
    result = start(production_env(tmp_path, **{variable: value}))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_start__every_variable_set__starts(tmp_path):
    result = start(production_env(tmp_path))

    assert result.returncode == 0, result.stderr


def test_production_start__unknown_environment_name__stops(tmp_path):
    result = start(production_env(tmp_path, OPSPORTAL_ENV="prod"))

    assert result.returncode != 0
    assert "OPSPORTAL_ENV must be" in result.stderr


def test_check_deploy__production_variables__no_issues(tmp_path):
    result = start(production_env(tmp_path), "manage.py", "check", "--deploy")

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output


_SHOW = """
import django, json
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS", "LOG_JSON"]}))
"""


def test_production_settings__debug_off_and_transport_security_on(tmp_path):
    env = production_env(tmp_path, DEBUG="true")
    env["DJANGO_SETTINGS_MODULE"] = "opsportal.settings"
    result = start(env, "-c", _SHOW)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["LOG_JSON"] is True


@pytest.mark.django_db
def test_response__any_page__carries_csp_and_security_headers(client):
    response = client.get("/accounts/login/")

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


_ENV_READ = re.compile(
    r"(?:env_(?:str|bool|int|list)|require_secret|os\.environ\.get|os\.getenv)\(\s*\"([A-Z][A-Z0-9_]+)\""
    r"|os\.environ\[\"([A-Z][A-Z0-9_]+)\"\]"
)


def test_readme__configuration_table__names_every_environment_variable_the_code_reads():
    base = Path(settings.BASE_DIR)
    sources = [*base.glob("opsportal/*.py"), *base.glob("apps/**/*.py")]
    read = {
        name
        for path in sources
        for match in _ENV_READ.finditer(path.read_text())
        for name in match.groups()
        if name
    }
    readme = (base / "README.md").read_text()

    undocumented = sorted(name for name in read if f"`{name}`" not in readme)

    assert read, "no environment variables found: the pattern is wrong"
    assert not undocumented, f"README.md's configuration table lacks {undocumented}"
