"""Small helpers the support pages share."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from apps.support.services.access import clean_ticket


def ticket_from(request) -> str:
    """The ticket the agent carries along (query or form), or "" when absent or malformed."""
    raw = request.POST.get("ticket") or request.GET.get("ticket") or ""
    try:
        return clean_ticket(raw[:64])
    except ValidationError:
        return ""


def apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
