"""The first super admin, made by ``manage.py bootstrap_super_admin``.

Nobody can grant a role before a super admin exists, so the first one is created from
the command line. The second one is then granted by the first (the one change a lone
super admin may make, see ``RoleChangeHandler.allows_bootstrap``); after that every
super_admin or finance change needs two people.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.roles import SUPER_ADMIN
from apps.core.events import record_event
from apps.core.logging import get_logger

log = get_logger(__name__)


@transaction.atomic
def super_admin_bootstrap(*, username: str, email: str, password: str) -> User:
    """Create the first super admin; refused once any active super admin exists."""
    group = Group.objects.select_for_update().filter(name=SUPER_ADMIN).first()
    if group is None:
        raise ValidationError(_("The super_admin role is missing; run migrate first."))
    if User.objects.filter(groups=group, is_active=True).exists():
        raise ValidationError(
            _("A super admin already exists; further super admins are granted in the portal.")
        )
    user = User(username=(username or "").strip(), email=(email or "").strip())
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    if not user.email:
        raise ValidationError({"email": [_("An email address is required.")]})
    user.save()
    user.groups.add(group)
    record_event(
        "approval.super_admin_bootstrapped", actor=None, target=user, data={"role": SUPER_ADMIN}
    )
    log.info("approval.super_admin_bootstrapped", user=user.pk)
    return user
