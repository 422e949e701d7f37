"""Bounds every input must respect, whichever door it comes through.

Dates and times
    Every date and date-time typed into the portal or sent to the API lies in
    [2000-01-01, 2100-01-01) UTC. Nothing this portal schedules or records (flag states and
    their ``until``, overrides, scheduled changes, freeze windows, launch T0, token expiry,
    audit filters) falls outside it, and a value inside it stays far from the limits of
    Python's ``datetime`` (years 1..9999) in every time zone, so showing it in a viewer's zone
    or adding a window (92 days, a rotation's weeks) to it can never overflow. A date such as
    9999-12-31 is refused with a field error instead of being stored and breaking the pages
    that show it.

    ``install_date_bounds()`` (called once from ``CoreConfig.ready``) adds
    ``validate_date_in_range`` to the default validators of DRF's and Django's date and
    date-time fields, so every serializer and form field, django-filter's filters and the
    admin included, refuses such values without each declaring it. Code that parses a date
    itself (a query parameter, a JSON payload) calls ``validate_date_in_range`` too.

NUL characters
    PostgreSQL's text and jsonb columns cannot hold U+0000, and a query that compares a
    column with such a string fails. ``nul_paths`` finds every string holding one in a
    decoded JSON document; ``apps.core.middleware.InputGuardMiddleware`` refuses requests
    carrying one in the path, the query string, a form or a JSON body before any view runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100  # exclusive: 2099-12-31T23:59:59 is the last moment accepted
EARLIEST = datetime(EARLIEST_YEAR, 1, 1, tzinfo=UTC)
LATEST = datetime(LATEST_YEAR, 1, 1, tzinfo=UTC)

DATE_OUT_OF_RANGE = _("Enter a date between %(earliest)d and %(latest)d.")
NUL_NOT_ALLOWED = _("NUL characters are not allowed.")


def date_in_range(value: date | datetime) -> bool:
    if isinstance(value, datetime):
        moment = value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
        return EARLIEST <= moment < LATEST
    return EARLIEST.date() <= value < LATEST.date()


def validate_date_in_range(value: Any) -> None:
    """A Django validator: ``value`` (a date or a date-time) lies in 2000..2099."""
    if isinstance(value, date) and not date_in_range(value):
        raise ValidationError(
            DATE_OUT_OF_RANGE,
            code="date_out_of_range",
            params={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )


def install_date_bounds() -> None:
    """Make ``validate_date_in_range`` a default validator of every date(-time) field."""
    from django import forms
    from rest_framework import serializers

    for field_class in (
        forms.DateField,
        forms.DateTimeField,
        serializers.DateField,
        serializers.DateTimeField,
    ):
        defaults = list(field_class.default_validators)
        if validate_date_in_range not in defaults:
            field_class.default_validators = [*defaults, validate_date_in_range]


def nul_paths(value: Any, path: str = "") -> Iterator[str]:
    """The dotted path of every key or string holding U+0000 in a decoded JSON value.

    ``{"payload": {"networks": [{"name": "a\\u0000b"}]}}`` -> ``payload.networks.0.name``;
    the root itself is ``""``.
    """
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            key_text = str(key)
            # A NUL in a key is shown escaped: the path is read by people and logged.
            shown = key_text.replace("\x00", "\\u0000")
            child = f"{path}.{shown}" if path else shown
            if "\x00" in key_text:
                yield child
            else:
                yield from nul_paths(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nul_paths(item, f"{path}.{index}" if path else str(index))
