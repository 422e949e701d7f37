"""htmx requests: the pages answer them with a fragment instead of a whole page."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """True when htmx made the request (it sends ``HX-Request: true``)."""
    return request.headers.get("HX-Request") == "true"
