"""Helpers shared by the on-call pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest

from apps.accounts.policy import can

PAGE_SIZE = 25


def require(request: HttpRequest, permission: str, obj=None) -> None:
    if not can(request.user, permission, obj):
        raise PermissionDenied


def paginate(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def error_messages(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)
