"""Support leads: a super admin makes a person a support lead, or stops them being one.

There is no support-lead role. A lead holds, as Django permissions granted to the person
(not to a role): ``support.manage_cannedreply`` (edit canned replies),
``support.review_lookups`` (the supervisor page) and ``support.reveal_pii`` (reveal
customers' email and names, with a reason each time). Only someone who may assign roles
(``accounts.assign_role``: super admins) grants or removes it; each change is an audit
event.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.policy import can
from apps.core.events import record_event

LEAD_PERMISSIONS = ("manage_cannedreply", "review_lookups", "reveal_pii")


def _lead_permissions():
    return list(
        Permission.objects.filter(content_type__app_label="support", codename__in=LEAD_PERMISSIONS)
    )


def is_lead(user) -> bool:
    held = set(
        user.user_permissions.filter(
            content_type__app_label="support", codename__in=LEAD_PERMISSIONS
        ).values_list("codename", flat=True)
    )
    return held == set(LEAD_PERMISSIONS)


@transaction.atomic
def support_lead_set(*, actor, user, lead: bool, reason: str):
    """Grant (``lead=True``) or remove the support lead's permissions for ``user``."""
    if not can(actor, "accounts.assign_role"):
        raise PermissionDenied(_("Only super admins make support leads."))
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError({"reason": [_("A reason is required.")]})
    if getattr(user, "is_service_account", False) or not user.is_active:
        raise ValidationError({"user": [_("Only an active person can be a support lead.")]})
    if lead and not user.groups.filter(name="support").exists():
        raise ValidationError({"user": [_("A support lead must hold the support role.")]})
    permissions = _lead_permissions()
    if lead:
        user.user_permissions.add(*permissions)
    else:
        user.user_permissions.remove(*permissions)
    record_event(
        "support.lead_granted" if lead else "support.lead_revoked",
        actor=actor,
        target=user,
        data={"user": user.username, "permissions": list(LEAD_PERMISSIONS), "reason": reason},
    )
    return user
