"""The words a view uses to declare who may reach it, for pages and the API alike.

A rule names what a person needs (``perm``, a permission checked through
``apps.accounts.policy.can``) and what a service token needs (``scope``); ``None`` refuses
that kind of caller. This module only declares; ``apps.accounts`` enforces: the API through
``apps.accounts.api.permissions.ActionPermission``, pages through
``apps.accounts.pages.PageRuleMiddleware``. It lives in ``core`` so that every app,
``core`` included, can declare its views without importing the layer above.

A portal page declares its rule with ``page_rule``::

    @page_rule(Rule(perm="flags.view_flag"))
    def panel(request): ...

    @page_rule(get=Rule(perm="warroom.view_launchplan"),
               post=Rule(perm="warroom.change_launchplan"))
    def launch_edit(request, pk): ...

    @page_rule(Rule(perm="oncall.change_schedule", object_level=True))
    def schedule_edit(request, pk):
        schedule = get_object_or_404(...)
        check_object(request, "oncall.change_schedule", schedule)

and a class-based page sets ``page_rules = {"*": Rule(...)}`` (or per method). A page that
declares nothing is refused for everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

ANY_VERIFIED = "__any_verified_person__"  # as ``perm``: every MFA-verified person
ANY_SIGNED_IN = "__any_signed_in_person__"  # as ``perm``: signed in, MFA not yet passed
ANY_TOKEN = "__any_valid_token__"  # as ``scope``: every valid token


@dataclass(frozen=True)
class Rule:
    # Pages may name several permissions as a tuple; the person needs every one.
    perm: str | tuple[str, ...] | None = None
    scope: str | None = None
    # When True the person's permission is checked on the object (django-guardian grants
    # count): the view loads the object and checks it (pages: ``check_object``); the
    # list/queryset must then be restricted by a selector.
    object_level: bool = False


PUBLIC = Rule(perm="__public__", scope="__public__")

PAGE_RULES_ATTRIBUTE = "page_rules"
ANY_METHOD = "*"

View = TypeVar("View", bound=Callable)


def _as_rule(rule: Rule | str | tuple[str, ...]) -> Rule:
    return rule if isinstance(rule, Rule) else Rule(perm=rule)


def page_rule(
    rule: Rule | str | tuple[str, ...] | None = None, /, **per_method: Rule | str
) -> Callable[[View], View]:
    """Declare the rule of a function page: one for every method, or one per method
    (``get=...``, ``post=...``); a method without a rule is refused. A permission name
    (or a tuple of them) stands for ``Rule(perm=...)``. Wrappers made with
    ``functools.wraps`` keep the declaration, so the decorator may sit anywhere."""
    if (rule is None) == (not per_method):
        raise TypeError("page_rule takes one rule for every method, or rules per method")
    if rule is not None:
        rules = {ANY_METHOD: _as_rule(rule)}
    else:
        rules = {method.upper(): _as_rule(value) for method, value in per_method.items()}
    if not all(isinstance(value, Rule) for value in rules.values()):
        raise TypeError("page_rule takes Rule objects")

    def decorate(view: View) -> View:
        setattr(view, PAGE_RULES_ATTRIBUTE, rules)
        return view

    return decorate


def declared_page_rules(view) -> dict[str, Rule] | None:
    """The rules a page declared (function attribute or class attribute), or None."""
    rules = getattr(view, PAGE_RULES_ATTRIBUTE, None)
    if rules is None:
        view_class = getattr(view, "view_class", None)
        rules = getattr(view_class, PAGE_RULES_ATTRIBUTE, None)
    return rules


def rule_for_method(rules: dict[str, Rule], method: str) -> Rule | None:
    method = method.upper()
    rule = rules.get(method) or rules.get(ANY_METHOD)
    if rule is None and method == "HEAD":
        rule = rules.get("GET")
    return rule
