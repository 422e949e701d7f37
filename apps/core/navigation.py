"""The portal's navigation, filtered by role.

Each app registers its entries (label, url name, required permission). The base template
shows only those the user may reach, so the menu never offers a page that answers 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # a lazy translation
    url_name: str
    permission: str | None = None  # None: every verified user
    order: int = 100


_ITEMS: dict[str, NavItem] = {}
# Set by apps.accounts at start-up: (user, permission or None) -> bool. Core imports no
# app, so the policy is handed in; until it is, nobody sees any entry (fail closed).
_checker = None


def set_permission_checker(checker) -> None:
    global _checker
    _checker = checker


def register(item: NavItem) -> None:
    _ITEMS[item.key] = item


def navigation_for(user, request=None) -> list[dict]:
    if _checker is None or not getattr(user, "is_authenticated", False):
        return []
    if not _checker(user, None):
        return []
    current = request.path if request is not None else ""
    items = []
    for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.key)):
        if item.permission and not _checker(user, item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = url == current if url == "/" else current.startswith(url)
        items.append({"key": item.key, "label": item.label, "url": url, "active": active})
    return items
