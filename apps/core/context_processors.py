"""Template context shared by every portal page: the navigation the user may see."""

from __future__ import annotations

from django.http import HttpRequest

from apps.core.navigation import navigation_for


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "nav_items": navigation_for(user, request) if user is not None else [],
        "request_id": getattr(request, "request_id", None),
    }
