"""Who may decide a change request, and who could be asked to.

Who may approve a freeze exception: ``approvals.grant_freeze_exception`` is required
and sufficient (see ``apps.approvals.services``).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from apps.accounts import policy
from apps.accounts.models import User
from apps.accounts.roles import SUPER_ADMIN
from apps.approvals import registry
from apps.approvals.models import ChangeRequest

GRANT_FREEZE_EXCEPTION = "approvals.grant_freeze_exception"


def super_admin_count() -> int:
    """Active people holding the super_admin role."""
    return (
        User.objects.filter(groups__name=SUPER_ADMIN, is_active=True, is_service_account=False)
        .distinct()
        .count()
    )


def approve_permissions_for(handler: registry.ChangeHandler, *, freeze_exception: bool) -> str:
    """The permission an approver needs (see the module docstring for freeze exceptions)."""
    return GRANT_FREEZE_EXCEPTION if freeze_exception else handler.approve_permission


def can_decide(user, change_request: ChangeRequest) -> bool:
    """May ``user`` approve or reject ``change_request`` (ignoring its state)?"""
    if user is None or getattr(user, "pk", None) == change_request.requester_id:
        return False
    try:
        handler = registry.get_handler(change_request.kind)
    except KeyError:
        return False
    perm = approve_permissions_for(handler, freeze_exception=change_request.freeze_exception)
    return policy.can(user, perm)


def people_holding(permission: str) -> QuerySet[User]:
    """Active people who hold ``permission`` through a role or directly."""
    app_label, codename = permission.split(".", 1)
    through_group = Q(
        groups__permissions__content_type__app_label=app_label,
        groups__permissions__codename=codename,
    )
    direct = Q(
        user_permissions__content_type__app_label=app_label,
        user_permissions__codename=codename,
    )
    return (
        User.objects.filter(is_active=True, is_service_account=False)
        .filter(through_group | direct | Q(is_superuser=True))
        .distinct()
    )
