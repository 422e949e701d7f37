"""Per-action API permissions that fail closed.

A view declares a rule for every action it serves::

    action_rules = {
        "list": Rule(perm="audit.view_audit_trail", scope=None),
        "create": Rule(perm="notify.manage_channel"),
        "evaluate": Rule(perm="flags.view_flag", scope="flags:read"),
    }

``perm`` is what a person (MFA-verified session) needs, through ``policy.can``;
``scope`` is what a service token needs. ``None`` means that kind of caller is refused.
``ANY_VERIFIED`` admits every MFA-verified person, ``ANY_TOKEN`` every valid token.
An action missing from ``action_rules`` is refused for everyone (code
``action_not_declared``). A method the view does not serve at all is let through so that
the view answers 405; nothing runs.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

from apps.accounts.models import ApiToken
from apps.accounts.policy import can, is_mfa_verified, token_allows
from apps.core.rules import ANY_TOKEN, ANY_VERIFIED, PUBLIC, Rule

__all__ = ["ANY_TOKEN", "ANY_VERIFIED", "PUBLIC", "ActionPermission", "Rule", "SchemaAccess"]


def _action(request, view) -> str:
    return getattr(view, "action", None) or request.method.lower()


def _serves_method(request, view) -> bool:
    method = request.method.lower()
    return method in getattr(view, "http_method_names", ()) and callable(
        getattr(view, method, None)
    )


class ActionPermission(BasePermission):
    message = gettext_lazy("You may not do this.")
    code = "permission_denied"

    def _rule(self, request, view) -> Rule | None:
        rules = getattr(view, "action_rules", None) or {}
        rule = rules.get(_action(request, view))
        if rule is None and request.method == "HEAD":
            rule = rules.get("get")
        if rule is None and request.method == "OPTIONS":
            # Who may read the view (or, for a write-only view, use it) may ask what it serves.
            rule = (
                rules.get("options")
                or rules.get("get")
                or rules.get("list")
                or next(iter(rules.values()), None)
            )
        return rule

    def has_permission(self, request, view) -> bool:
        rule = self._rule(request, view)
        if rule is None:
            if not _serves_method(request, view):
                return True  # the view answers 405 Method Not Allowed
            self.message = _("This action has no declared permission; it is refused.")
            self.code = "action_not_declared"
            return False
        if rule is PUBLIC:
            return True
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None:
            if rule.scope == ANY_TOKEN:
                return True
            if rule.scope is None:
                self.message = _("Service tokens may not do this.")
                self.code = "token_not_allowed"
                return False
            if not token_allows(token, rule.scope):
                self.message = _("This token lacks the scope '%(scope)s'.") % {"scope": rule.scope}
                self.code = "scope_missing"
                return False
            return True
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return False
        if rule.perm is None:
            self.message = _("Only service tokens may do this.")
            self.code = "token_required"
            return False
        if not is_mfa_verified(user):
            self.message = _("Complete MFA verification first.")
            self.code = "mfa_required"
            return False
        if rule.perm == ANY_VERIFIED or rule.object_level:
            return True
        return can(user, rule.perm)

    def has_object_permission(self, request, view, obj) -> bool:
        rule = self._rule(request, view)
        if rule is None:
            return False
        if rule is PUBLIC or not rule.object_level or isinstance(request.auth, ApiToken):
            return True
        return can(request.user, rule.perm, obj)


class SchemaAccess(BasePermission):
    """Who may read the OpenAPI document and the Swagger UI (drf-spectacular's
    SERVE_PERMISSIONS): everyone when ``API_SCHEMA_PUBLIC`` is true (development's
    default), otherwise only MFA-verified people (production's default)."""

    message = gettext_lazy("Log in to the portal (with MFA) to read the API documentation.")

    def has_permission(self, request, view) -> bool:
        if getattr(settings, "API_SCHEMA_PUBLIC", False):
            return True
        if isinstance(request.auth, ApiToken):
            self.message = _("The API documentation is for people signed in to the portal.")
            self.code = "token_not_allowed"
            return False
        user = request.user
        return bool(getattr(user, "is_authenticated", False)) and is_mfa_verified(user)
