"""The one answer to "may this user do this action (on this object)?".

Pages, the API and the admin all ask ``can``. Actions are Django permission names
(``app_label.codename``); per-object grants come from django-guardian. Service accounts
never pass ``can``: they act only through their token's scopes (``token_allows``).
"""

from __future__ import annotations

from typing import Any


def is_mfa_verified(user: Any) -> bool:
    """True for a person whose current session passed the second factor."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_service_account", False):
        return False
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def can(user: Any, action: str, obj: Any = None) -> bool:
    """May ``user`` perform ``action`` (a permission name), optionally on ``obj``?

    A user object that came through a request must be MFA-verified; a user loaded by
    trusted code (a task, a command) is judged on its roles alone.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active or getattr(user, "is_service_account", False):
        return False
    if hasattr(user, "is_verified") and not user.is_verified():
        return False
    if user.has_perm(action):
        return True
    return obj is not None and user.has_perm(action, obj)


def token_allows(token: Any, scope: str) -> bool:
    """May this API token act under ``scope``?"""
    return bool(
        token is not None
        and not token.is_revoked
        and not token.is_expired
        and token.has_scope(scope)
    )


def user_roles(user: Any) -> list[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return sorted(user.groups.values_list("name", flat=True))


def has_role(user: Any, role: str) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.groups.filter(name=role).exists()
    )


def navigation_checker(user: Any, permission: str | None) -> bool:
    """Handed to apps.core.navigation: show an entry only if ``can`` allows it."""
    if not is_mfa_verified(user):
        return False
    return True if permission is None else can(user, permission)
