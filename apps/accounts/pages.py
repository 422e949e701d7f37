"""Portal pages' permissions: declared on the view, enforced here, failing closed.

A page declares its rule with ``apps.core.rules.page_rule`` (function views) or a
``page_rules`` class attribute (class views), the way API views declare ``action_rules``.
``PageRuleMiddleware`` reads the declaration of the view a request resolved to before the
view runs:

- ``PUBLIC``: everyone (login, health, signed acknowledgement links, token-authenticated
  calendar feeds);
- ``ANY_SIGNED_IN``: a signed-in person, MFA not yet passed (enrolment and verification);
- anything else: an anonymous visitor is sent to log in, and the person must be
  MFA-verified and, unless the rule is ``ANY_VERIFIED`` or object-level, pass
  ``policy.can(user, perm)`` (a page's ``perm`` may be a tuple: every one is needed);
- object-level rules (``object_level=True``): the view loads its object and calls
  ``check_object(request, perm, obj)``, where django-guardian grants count;
- no declaration (or none for the request's method): 403 for everyone.

Views that bring their own gate are left alone: ``/v1/`` (DRF ``action_rules``), the
Django admin (OTP-gated), static files and Django's language switch.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from apps.accounts.policy import can, is_mfa_verified
from apps.core.rules import (
    ANY_SIGNED_IN,
    ANY_VERIFIED,
    PUBLIC,
    Rule,
    declared_page_rules,
    page_rule,
    rule_for_method,
)

__all__ = [
    "ANY_SIGNED_IN",
    "ANY_VERIFIED",
    "PUBLIC",
    "PageRuleMiddleware",
    "Rule",
    "check_object",
    "check_page",
    "page_rule",
]

# Views of other packages that are reached without a page rule, each with its own gate.
EXEMPT_VIEW_MODULES = (
    "django.views.i18n",  # the language switch: sets a cookie, changes nothing else
    "django.contrib.staticfiles.",
    "django.views.static",
)


def is_exempt(view_func, request: HttpRequest) -> bool:
    """True for views that are not portal pages (they have their own gate)."""
    from rest_framework.views import APIView

    view_class = getattr(view_func, "cls", None)
    if isinstance(view_class, type) and issubclass(view_class, APIView):
        return True  # /v1/: ActionPermission and action_rules
    match = getattr(request, "resolver_match", None)
    if match is not None and "admin" in match.app_names:
        return True  # the Django admin: OTP-gated admin site
    module = getattr(view_func, "__module__", "") or ""
    return module.startswith(EXEMPT_VIEW_MODULES)


def check_page(request: HttpRequest, rule: Rule | None):
    """None when ``request`` may pass ``rule``; otherwise the response or exception that
    refuses it (a redirect to log in for an anonymous visitor, else PermissionDenied)."""
    if rule is None:
        raise PermissionDenied  # the page declared no rule (for this method): closed
    if rule is PUBLIC:
        return None
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return redirect_to_login(request.get_full_path())
    if getattr(user, "is_service_account", False) or rule.perm is None:
        raise PermissionDenied
    if rule.perm == ANY_SIGNED_IN:
        return None
    if not is_mfa_verified(user):
        raise PermissionDenied
    if rule.perm == ANY_VERIFIED or rule.object_level:
        return None
    perms = rule.perm if isinstance(rule.perm, tuple) else (rule.perm,)
    if not all(can(user, perm) for perm in perms):
        raise PermissionDenied
    return None


def check_object(request: HttpRequest, perm: str, obj: Any = None) -> None:
    """Refuse (PermissionDenied) unless the person may ``perm`` on ``obj``.

    The one check a page makes in its body: for object-level rules, and where what the
    page does depends on the object it loaded."""
    if not can(request.user, perm, obj):
        raise PermissionDenied


class PageRuleMiddleware:
    """Enforces every portal page's declared rule before the view runs; refuses
    undeclared pages (403) so a new page without a rule is closed, not open."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if is_exempt(view_func, request):
            return None
        rules = declared_page_rules(view_func)
        rule = rule_for_method(rules, request.method) if rules else None
        return check_page(request, rule)
