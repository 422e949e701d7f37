"""Who may decide a change request, and who could be asked to.

Who may approve a freeze exception: ``approvals.grant_freeze_exception`` is required
and sufficient (see ``apps.approvals.services``).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from apps.accounts import policy
from apps.accounts.models import User
from apps.accounts.roles import SUPER_ADMIN
from apps.approvals import behind, registry
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
    """May ``user`` approve or reject ``change_request`` (ignoring its state)?

    Nobody behind the request may (``apps.approvals.behind``)."""
    return decision_blocker(user, change_request) is None


def decision_blocker(
    user, change_request: ChangeRequest, people: list[behind.Behind] | None = None
) -> str | None:
    """Why ``user`` may not decide ``change_request`` (ignoring its state); None if they may.

    ``people``: the people behind it if already known (lists pass the recorded ones);
    by default computed now, as a decision would."""
    if user is None or getattr(user, "pk", None) is None:
        return _("Sign in first.")
    if people is None:
        people = behind.people_behind_now(change_request)
    if behind.reasons_of(user, people) or user.pk == change_request.requester_id:
        return behind.refusal_message(change_request, user, people, verb=_("decide"))
    try:
        handler = registry.get_handler(change_request.kind)
    except KeyError:
        return _("No handler is registered for '%(kind)s'.") % {"kind": change_request.kind}
    perm = approve_permissions_for(handler, freeze_exception=change_request.freeze_exception)
    if policy.can(user, perm):
        return None
    if change_request.freeze_exception:
        return _("Only someone who may grant freeze exceptions can decide this request.")
    return _("You may not decide this kind of change.")


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
