"""Small helpers the support pages share."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from apps.support.services.access import MAX_TICKET, clean_ticket


def ticket_from(request) -> str:
    """The ticket the agent carries along (query or form), or "" when absent or malformed."""
    raw = request.POST.get("ticket") or request.GET.get("ticket") or ""
    try:
        return clean_ticket(raw[:MAX_TICKET])
    except ValidationError:
        return ""
