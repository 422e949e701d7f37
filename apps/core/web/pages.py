"""Small helpers every portal page uses: one page of a list, a service's errors as messages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 25


def paginate(request: HttpRequest, items, per_page: int = PAGE_SIZE) -> Page:
    """The page of ``items`` that ``?page=`` asks for (the last one past the end, the first
    for a page that is not a number); shown with ``core/_pagination.html``."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def error_messages(request: HttpRequest, error: ValidationError) -> None:
    """Show each message of a service's ``ValidationError`` at the top of the next page."""
    for text in error.messages:
        messages.error(request, text)
