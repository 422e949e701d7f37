"""Reading configuration from the environment.

Every setting that differs between the embedded demo and production comes from an
environment variable. Production (``OPSPORTAL_ENV=production``) refuses to start when
a secret is missing or still a placeholder, naming the variable.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

PLACEHOLDERS = {"", "changeme", "change-me", "secret", "placeholder", "insecure", "xxx", "todo"}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = env_str(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def require_secret(name: str, *, min_length: int = 32) -> str:
    """Return a secret from the environment or stop start-up naming what is wrong."""
    value = env_str(name)
    if value is None:
        raise ImproperlyConfigured(f"{name} is not set; production needs it in the environment.")
    lowered = value.lower()
    if lowered in PLACEHOLDERS or "insecure" in lowered or "change" in lowered:
        raise ImproperlyConfigured(f"{name} is a placeholder; set a real secret.")
    if len(value) < min_length:
        raise ImproperlyConfigured(f"{name} is shorter than {min_length} characters.")
    return value
