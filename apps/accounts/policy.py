"""The one answer to "may this user do this action (on this object)?".

Pages, the API and the admin all ask ``can``. Actions are Django permission names
(``app_label.codename``); per-object grants come from django-guardian. Service accounts
never pass ``can``: they act only through their token's scopes (``token_allows``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _


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


def require(actor: Any, action: str, obj: Any = None) -> None:
    """Refuse (``PermissionDenied``) unless ``actor`` may do ``action``, globally or on
    ``obj``: the check services make whatever door called them."""
    if not can(actor, action, obj):
        raise PermissionDenied(_("You may not do this."))


def token_allows(token: Any, scope: str) -> bool:
    """May this API token act under ``scope``?"""
    return bool(
        token is not None
        and not token.is_revoked
        and not token.is_expired
        and token.has_scope(scope)
    )


def caller_of(request: Any) -> Any:
    """Who is asking: the request's API token when it came with one, else its user."""
    from apps.accounts.models import ApiToken

    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else getattr(request, "user", None)


def restrict(queryset: QuerySet, caller: Any, perm: str, *, scope: str | None = None) -> QuerySet:
    """``queryset`` narrowed to the rows ``caller`` may see: the one read path of selectors.

    - an API token: every row when it holds ``scope`` (none when ``scope`` is None);
    - a person: every row with ``perm`` (through ``can``: MFA-verified, active, a role or
      a direct grant); otherwise the rows a django-guardian grant of ``perm`` names, when
      ``perm`` is a permission of the queryset's model; otherwise none;
    - anyone else (anonymous, a service account without its token): none.
    """
    from apps.accounts.models import ApiToken

    if isinstance(caller, ApiToken):
        return (
            queryset.all() if scope is not None and token_allows(caller, scope) else queryset.none()
        )
    if can(caller, perm):
        return queryset.all()
    app_label, _dot, codename = perm.partition(".")
    model = queryset.model
    if (
        caller is None
        or not getattr(caller, "is_authenticated", False)
        or getattr(caller, "is_service_account", False)
        or app_label != model._meta.app_label
        or not is_mfa_verified_or_trusted(caller)
    ):
        return queryset.none()
    from guardian.shortcuts import get_objects_for_user

    if codename not in {p.split(".")[-1] for p in _model_permissions(model)}:
        return queryset.none()
    return get_objects_for_user(
        caller, perm, klass=queryset, accept_global_perms=False, with_superuser=False
    )


def _model_permissions(model) -> set[str]:
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(model)
    return set(
        Permission.objects.filter(content_type=content_type).values_list("codename", flat=True)
    )


def is_mfa_verified_or_trusted(user: Any) -> bool:
    """A request's user must have passed MFA; a user loaded by trusted code (a task, a
    command: no ``is_verified``) is judged on its grants alone, as in ``can``."""
    return not hasattr(user, "is_verified") or user.is_verified()


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
