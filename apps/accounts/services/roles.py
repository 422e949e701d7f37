"""Role assignment: the one place a person gains or loses a role.

Pages and the admin both call ``role_grant`` / ``role_revoke``. The change is an m2m
change on ``User.groups``, so django-auditlog records it with the actor, and the
services add the domain events ``account.role_granted`` / ``account.role_revoked``.
Granting or removing ``super_admin``, ``finance`` and ``incident_commander`` needs a
second person: only an approved change request (``apps.approvals``) may pass
``via_approval=True``. Nobody grants a role to themselves, whatever the door (the page,
the admin, or approving a change request that names them).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.policy import can
from apps.accounts.roles import FINANCE, INCIDENT_COMMANDER, ROLES, SUPER_ADMIN
from apps.core.events import record_event
from apps.core.logging import get_logger

log = get_logger(__name__)

# Removing a super_admin may not leave fewer than this many (DESIGN: at least two).
MIN_SUPER_ADMINS = 2

# Granting or removing these roles needs a second person: it is filed as a change request
# (apps.approvals, kind "accounts.role_change") whose approved handler calls the services
# below with via_approval=True. Every other door (pages, admin) is refused. The incident
# commander holds the freeze-exception permission, so it is protected like the others.
PROTECTED_ROLES = (SUPER_ADMIN, FINANCE, INCIDENT_COMMANDER)


def _check_protected(group: Group, *, via_approval: bool) -> None:
    if group.name in PROTECTED_ROLES and not via_approval:
        raise ValidationError(
            {
                "role": [
                    _(
                        "Granting or removing %(role)s needs a second super admin's approval: "
                        "file a role change request under Approvals."
                    )
                    % {"role": group.name}
                ]
            }
        )


def _role_group(role) -> Group:
    name = role.name if isinstance(role, Group) else str(role)
    if name not in ROLES:
        raise ValidationError({"role": [_("'%(role)s' is not a role.") % {"role": name}]})
    group = Group.objects.filter(name=name).first()
    if group is None:
        raise ValidationError(
            {"role": [_("The role '%(role)s' is missing; run migrate.") % {"role": name}]}
        )
    return group


def _check_actor(actor) -> None:
    if not can(actor, "accounts.assign_role"):
        raise PermissionDenied(_("You may not grant or remove roles."))


def check_not_self(*, actor, user, field: str = "role") -> None:
    """Refuse a grant to oneself (a field error on ``field``)."""
    if actor is not None and getattr(actor, "pk", None) == user.pk:
        raise ValidationError(
            {field: [_("Nobody can grant a role to themselves; ask another super admin.")]}
        )


def validate_role_grant(*, actor, user, role, via_approval: bool = False) -> Group:
    """Raise PermissionDenied/ValidationError if ``actor`` may not give ``user`` ``role``."""
    _check_actor(actor)
    group = _role_group(role)
    check_not_self(actor=actor, user=user)
    if user.is_service_account:
        raise ValidationError(
            {"role": [_("Service accounts cannot hold roles; give their tokens scopes.")]}
        )
    if user.groups.filter(pk=group.pk).exists():
        raise ValidationError(
            {
                "role": [
                    _("%(user)s already holds the role %(role)s.")
                    % {"user": user.username, "role": group.name}
                ]
            }
        )
    _check_protected(group, via_approval=via_approval)
    return group


def validate_role_revoke(*, actor, user, role, via_approval: bool = False) -> Group:
    """Raise PermissionDenied/ValidationError if ``actor`` may not take ``role`` from ``user``."""
    _check_actor(actor)
    group = _role_group(role)
    if not user.groups.filter(pk=group.pk).exists():
        raise ValidationError(
            {
                "role": [
                    _("%(user)s does not hold the role %(role)s.")
                    % {"user": user.username, "role": group.name}
                ]
            }
        )
    if group.name == SUPER_ADMIN:
        others = (
            get_user_model()
            .objects.filter(groups=group, is_active=True, is_service_account=False)
            .exclude(pk=user.pk)
            .count()
        )
        if others < MIN_SUPER_ADMINS:
            raise ValidationError(
                {
                    "role": [
                        _("At least %(count)d super admins must remain; add another first.")
                        % {"count": MIN_SUPER_ADMINS}
                    ]
                }
            )
    _check_protected(group, via_approval=via_approval)
    return group


@transaction.atomic
def role_grant(*, actor, user, role, via_approval: bool = False):
    """Give ``user`` the role ``role`` (a role name or its Group). Returns the user.

    A protected role (PROTECTED_ROLES) is granted only by an approved change request,
    which passes ``via_approval=True``.
    """
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    group = validate_role_grant(actor=actor, user=user, role=role, via_approval=via_approval)
    user.groups.add(group)
    record_event("account.role_granted", actor=actor, target=user, data={"role": group.name})
    log.info("account.role_granted", user=user.pk, role=group.name, actor=actor.pk)
    return user


@transaction.atomic
def role_revoke(*, actor, user, role, via_approval: bool = False):
    """Take the role ``role`` from ``user``. Returns the user.

    A protected role (PROTECTED_ROLES) is removed only by an approved change request,
    which passes ``via_approval=True``.
    """
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if user.groups.filter(name=SUPER_ADMIN).exists():
        # Serialise super_admin removals so two cannot both pass the "two remain" check.
        list(Group.objects.select_for_update().filter(name=SUPER_ADMIN))
    group = validate_role_revoke(actor=actor, user=user, role=role, via_approval=via_approval)
    user.groups.remove(group)
    record_event("account.role_revoked", actor=actor, target=user, data={"role": group.name})
    log.info("account.role_revoked", user=user.pk, role=group.name, actor=actor.pk)
    return user
