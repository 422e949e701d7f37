"""Template helpers every portal template has without ``{% load %}``.

This library is a builtin of the template engine (``TEMPLATES[0]["OPTIONS"]["builtins"]``
in settings), so its ``date`` and ``time`` filters replace Django's everywhere:

- ``date`` / ``time``: as Django's, but a stored moment the viewer's zone cannot represent
  (``9999-12-31 23:59`` UTC seen from UTC+14 is past the year 9999) is shown in UTC
  instead of failing the whole page with ``OverflowError``. Rows with such ends exist
  (flag states are append-only), so every page must survive them;
- ``in_zone``: Django's ``timezone`` filter (a moment in a named zone) with the same rule;
- ``datetime_seconds``: a short date and a 24-hour time with seconds, for timelines;
- ``pairs``: a dict's items as a list, safe when a key is called ``items`` or ``values``
  (``{{ d.items }}`` in a template looks the key up first);
- ``data_list``: a JSON-like value (an audit event's data) as a readable key/value list
  (``scope_kind`` reads "Scope kind", the key itself in the title);
- ``label``: the human label of an identifier (see ``apps.core.labels``);
- ``{% form_once %}``: the one-time token of a create form (see ``apps.core.web.once``).
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, tzinfo

from django import template
from django.conf import settings
from django.template import defaultfilters
from django.templatetags import tz as tz_library
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from apps.core import labels
from apps.core.web import once

register = template.Library()

DATA_DEPTH = 4
DATA_TEXT_LIMIT = 500
NOTHING = mark_safe('<span class="muted">—</span>')  # noqa: S308 - a constant


def display_time(value, zone: tzinfo | None = None):
    """``value`` in ``zone`` (default: the viewer's); unchanged when it is not an aware
    datetime, when a zone was already applied, or when the zone cannot represent it."""
    if not isinstance(value, datetime) or not settings.USE_TZ or timezone.is_naive(value):
        return value
    if not getattr(value, "convert_to_local_time", True):
        return value
    try:
        return timezone.localtime(value, zone)
    except (OverflowError, ValueError):
        return value.astimezone(UTC) if value.utcoffset() else value


@register.filter(is_safe=False)
def date(value, arg=None):
    """Django's ``date`` filter on the moment as the viewer sees it (see the module doc)."""
    return defaultfilters.date(display_time(value), arg)


@register.filter(is_safe=False)
def time(value, arg=None):
    """Django's ``time`` filter on the moment as the viewer sees it."""
    return defaultfilters.time(display_time(value), arg)


@register.filter(is_safe=False)
def in_zone(value, zone):
    """The moment in ``zone`` (a tzinfo or an IANA name); shown as is by ``date`` then."""
    if not isinstance(value, datetime):
        return ""
    try:
        return tz_library.do_timezone(value, zone)
    except (OverflowError, ValueError):
        moment = value.astimezone(UTC) if timezone.is_aware(value) else value
        shown = tz_library.datetimeobject(
            moment.year,
            moment.month,
            moment.day,
            moment.hour,
            moment.minute,
            moment.second,
            moment.microsecond,
            moment.tzinfo,
        )
        shown.convert_to_local_time = False  # as Django's own filter marks it
        return shown
    except zoneinfo.ZoneInfoNotFoundError:
        return ""


@register.filter(is_safe=False)
def datetime_seconds(value):
    """``31/12/2026 07:05:42``: the short date of the language and a 24-hour time."""
    if not isinstance(value, datetime):
        return ""
    moment = display_time(value)
    return (
        f"{defaultfilters.date(moment, 'SHORT_DATE_FORMAT')} {defaultfilters.date(moment, 'H:i:s')}"
    )


@register.filter
def pairs(value) -> list[tuple]:
    """``dict`` → ``[(key, value), …]`` in the dict's order; anything else → ``[]``."""
    if isinstance(value, dict):
        return list(value.items())
    return []


def _data_html(value, depth: int) -> SafeString:
    """Always escaped HTML (a ``SafeString``)."""
    if value is None or value == "" or value == {} or value == []:
        return NOTHING
    if isinstance(value, bool):
        return conditional_escape(_("yes") if value else _("no"))
    if isinstance(value, dict) and depth < DATA_DEPTH:
        rows = format_html_join(
            "",
            '<dt title="{}">{}</dt><dd>{}</dd>',
            (
                (key, capfirst(str(key).replace("_", " ")), _data_html(item, depth + 1))
                for key, item in value.items()
            ),
        )
        return format_html('<dl class="data">{}</dl>', rows)
    if isinstance(value, list | tuple) and depth < DATA_DEPTH:
        if all(not isinstance(item, dict | list | tuple) for item in value):
            return mark_safe(  # noqa: S308 - each part is escaped by _data_html
                ", ".join(_data_html(item, depth + 1) for item in value)
            )
        items = format_html_join(
            "", "<li>{}</li>", ((_data_html(item, depth + 1),) for item in value)
        )
        return format_html('<ul class="data">{}</ul>', items)
    text = str(value)
    if len(text) > DATA_TEXT_LIMIT:
        text = text[:DATA_TEXT_LIMIT] + "…"
    return conditional_escape(text)


@register.filter(is_safe=True)
def data_list(value) -> SafeString:
    """A JSON-like value as HTML: dicts as definition lists, lists inline or as lists."""
    return _data_html(value, 0)


@register.filter
def label(value, namespace: str) -> str:
    """The human label of the identifier ``value`` (``{{ role|label:"role" }}``)."""
    return labels.label_for(namespace, value)


@register.simple_tag
def form_once() -> SafeString:
    """A hidden input with a fresh one-time token: put it inside a create form."""
    return format_html('<input type="hidden" name="{}" value="{}">', once.FIELD, once.new_token())
