"""Two-person role changes: granting or removing ``super_admin``, ``finance`` and
``incident_commander`` (which carries the freeze-exception permission).

Payload: ``{"user": <id or username>, "role": "super_admin" | "finance" |
"incident_commander", "action": "grant" | "revoke"}``. The change is applied through
``apps.accounts.services.roles`` with ``via_approval=True``, the only way those
services accept a protected role. Nobody files a grant to themselves, and the person
whose role changes is behind the request (``people_named``), so they cannot decide it
either. While fewer than two super admins exist, a super admin may grant the second
super admin alone (the bootstrap); removing a super admin that would leave fewer than
two is refused, when requested and again when applied.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.policy import has_role
from apps.accounts.roles import SUPER_ADMIN
from apps.accounts.services.roles import PROTECTED_ROLES, check_not_self
from apps.approvals.registry import ChangeHandler

KIND = "accounts.role_change"
ACTIONS = ("grant", "revoke")
MIN_SUPER_ADMINS = 2
HOLDS = "holds"
ABSENT = "absent"


def _find_user(value) -> User | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return User.objects.filter(pk=int(value)).first()
    return User.objects.filter(username=str(value)).first()


def _holds(user: User, role: str) -> bool:
    return user.groups.filter(name=role).exists()


def _other_super_admins(user: User) -> int:
    return (
        User.objects.filter(groups__name=SUPER_ADMIN, is_active=True, is_service_account=False)
        .exclude(pk=user.pk)
        .distinct()
        .count()
    )


class RoleChangeHandler(ChangeHandler):
    """Grant or remove a protected role under the two-person rule.

    Not freezable: staffing an incident (adding or removing access) must stay possible
    during a code or config freeze.
    """

    kind = KIND
    request_permission = "accounts.assign_role"
    freezable = False

    def validate(self, payload: dict) -> dict:
        errors: dict[str, list[str]] = {}
        action = payload.get("action")
        role = payload.get("role")
        if action not in ACTIONS:
            errors["action"] = [_("Choose 'grant' or 'revoke'.")]
        if role not in PROTECTED_ROLES:
            errors["role"] = [
                _("Only %(roles)s changes need a second person; grant other roles directly.")
                % {"roles": ", ".join(PROTECTED_ROLES)}
            ]
        user = _find_user(payload.get("user"))
        if user is None:
            errors["user"] = [_("No such person.")]
        elif user.is_service_account:
            errors["user"] = [_("Service accounts cannot hold roles; give their tokens scopes.")]
        elif not user.is_active and action == "grant":
            errors["user"] = [_("%(user)s is deactivated.") % {"user": user.username}]
        if errors:
            raise ValidationError(errors)
        holds = _holds(user, role)
        if action == "grant" and holds:
            raise ValidationError(
                {
                    "role": [
                        _("%(user)s already holds the role %(role)s.")
                        % {"user": user.username, "role": role}
                    ]
                }
            )
        if action == "revoke":
            if not holds:
                raise ValidationError(
                    {
                        "role": [
                            _("%(user)s does not hold the role %(role)s.")
                            % {"user": user.username, "role": role}
                        ]
                    }
                )
            self._check_super_admins_remain(user, role)
        return {"action": action, "role": role, "user": user.pk, "username": user.username}

    @staticmethod
    def _check_super_admins_remain(user: User, role: str) -> None:
        if role == SUPER_ADMIN and _other_super_admins(user) < MIN_SUPER_ADMINS:
            raise ValidationError(
                {
                    "role": [
                        _("At least %(count)d super admins must remain; add another first.")
                        % {"count": MIN_SUPER_ADMINS}
                    ]
                }
            )

    def target(self, payload: dict) -> str:
        return f"accounts.role:{payload['user']}:{payload['role']}"

    def current_version(self, target: str) -> str:
        _prefix, user_id, role = target.split(":", 2)
        user = User.objects.filter(pk=int(user_id)).first()
        if user is None:
            return ""
        return HOLDS if _holds(user, role) else ABSENT

    def diff(self, payload: dict) -> list[dict]:
        grant = payload["action"] == "grant"
        return [
            {
                "field": _("role %(role)s of %(user)s")
                % {"role": payload["role"], "user": payload["username"]},
                "before": _("not held") if grant else _("held"),
                "after": _("held") if grant else _("not held"),
            }
        ]

    def describe(self, payload: dict) -> str:
        if payload["action"] == "grant":
            return _("Grant %(role)s to %(user)s") % {
                "role": payload["role"],
                "user": payload["username"],
            }
        return _("Remove %(role)s from %(user)s") % {
            "role": payload["role"],
            "user": payload["username"],
        }

    def check_requester(self, *, payload: dict, actor) -> None:
        if payload.get("action") == "grant":
            user = User.objects.filter(pk=payload.get("user")).first()
            if user is not None:
                check_not_self(actor=actor, user=user, field="user")

    def people_named(self, payload: dict) -> list[tuple[int, str]]:
        # Whose role changes does not decide the change.
        return [(int(payload["user"]), self.describe(payload))]

    def allows_bootstrap(self, *, payload: dict, actor) -> bool:
        # The one change a lone super admin may make: granting the second super admin.
        return (
            payload.get("action") == "grant"
            and payload.get("role") == SUPER_ADMIN
            and has_role(actor, SUPER_ADMIN)
        )

    def apply(self, *, change_request, actor) -> dict:
        from apps.accounts.services import roles as role_services

        payload = change_request.payload
        user = User.objects.get(pk=payload["user"])
        if payload["action"] == "grant":
            role_services.role_grant(
                actor=actor, user=user, role=payload["role"], via_approval=True
            )
        else:
            role_services.role_revoke(
                actor=actor, user=user, role=payload["role"], via_approval=True
            )
        return {"user": user.pk, "role": payload["role"], "action": payload["action"]}
