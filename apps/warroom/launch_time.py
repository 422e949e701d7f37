"""T-offset notation of the launch plan, and the countdown label.

A task's offset from T0 is stored as a signed ``timedelta``; people read and write it the
way the runbooks do: ``T-7 d``, ``T-3 d``, ``T-1 d``, ``T-2 h``, ``T-30 min``, ``T0``,
``T+1 h``, ``T+24 h``, ``T+7 d``. ``T-1 d`` and ``T+24 h`` are the same length, so the
unit a person wrote is kept beside the duration (``unit``) and used again to show it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DAY, HOUR, MINUTE = "d", "h", "min"
UNITS = {DAY: timedelta(days=1), HOUR: timedelta(hours=1), MINUTE: timedelta(minutes=1)}
UNIT_CHOICES = [(DAY, _("days")), (HOUR, _("hours")), (MINUTE, _("minutes"))]
# Launch plans in the runbooks span T-21 d … T+7 d; anything beyond a quarter is a typo.
MAX_OFFSET = timedelta(days=90)

# Spellings accepted for each unit (English, Indonesian, Russian), lower case.
_ALIASES = {
    DAY: ("d", "day", "days", "hari", "д", "дн", "дня", "дней", "день"),
    HOUR: ("h", "hr", "hrs", "hour", "hours", "jam", "ч", "час", "часа", "часов"),
    MINUTE: ("m", "min", "mins", "minute", "minutes", "menit", "мин", "минут", "минуты"),
}
_UNIT_BY_ALIAS = {alias: unit for unit, aliases in _ALIASES.items() for alias in aliases}
_MINUS = "-\u2212\u2013\u2014"  # hyphen, minus sign, en and em dash
_PART = re.compile(r"(\d{1,6})\s*([^\W\d_]+)", re.UNICODE)
_NOTATION = re.compile(
    rf"^\s*T\s*(?:(?P<zero>[+{_MINUS}]?\s*0)|(?P<sign>[+{_MINUS}])\s*(?P<parts>.+?))\s*$",
    re.IGNORECASE | re.UNICODE,
)

FORMAT_HELP = _("Write it like T-7 d, T-3 d, T-2 h, T-30 min, T0, T+1 h, T+24 h or T+7 d.")


@dataclass(frozen=True)
class Offset:
    """A parsed offset: the signed duration and the unit it was written in."""

    delta: timedelta
    unit: str = ""

    def __str__(self) -> str:
        return format_offset(self.delta, self.unit)


def parse_offset(text: str) -> Offset:
    """``"T-2 h"`` -> ``Offset(timedelta(hours=-2), "h")``; a clear ValidationError else."""
    raw = (text or "").strip()
    if not raw:
        raise ValidationError(_("Give the offset from T0. %(help)s") % {"help": FORMAT_HELP})
    match = _NOTATION.match(raw)
    if match is None:
        raise ValidationError(
            _("'%(value)s' is not an offset from T0. %(help)s")
            % {"value": raw[:40], "help": FORMAT_HELP},
            code="invalid_offset",
        )
    if match.group("zero") is not None:
        return Offset(timedelta(0), "")
    parts_text = match.group("parts")
    total = timedelta(0)
    smallest = ""
    position = 0
    seen: set[str] = set()
    for part in _PART.finditer(parts_text):
        if parts_text[position : part.start()].strip():
            break
        number, word = int(part.group(1)), part.group(2).lower()
        unit = _UNIT_BY_ALIAS.get(word)
        if unit is None:
            raise ValidationError(
                _("Unknown unit '%(unit)s': use d (days), h (hours) or min (minutes).")
                % {"unit": word[:20]},
                code="invalid_offset_unit",
            )
        if unit in seen:
            raise ValidationError(
                _("The unit '%(unit)s' appears twice. %(help)s")
                % {"unit": unit, "help": FORMAT_HELP},
                code="invalid_offset",
            )
        seen.add(unit)
        total += number * UNITS[unit]
        smallest = unit
        position = part.end()
    if not seen or parts_text[position:].strip():
        raise ValidationError(
            _("'%(value)s' is not an offset from T0. %(help)s")
            % {"value": raw[:40], "help": FORMAT_HELP},
            code="invalid_offset",
        )
    if total > MAX_OFFSET:
        raise ValidationError(
            _("An offset is at most 90 days from T0."), code="offset_out_of_range"
        )
    sign = -1 if match.group("sign") in _MINUS else 1
    # "T-0 h" is T0; keep the unit of a one-part offset ("T+24 h"); a compound one
    # ("T-1 d 2 h") is shown in days, hours and minutes again.
    return Offset(sign * total, smallest if total and len(seen) == 1 else "")


def validate_offset(value: timedelta) -> None:
    if value is not None and abs(value) > MAX_OFFSET:
        raise ValidationError(
            _("An offset is at most 90 days from T0."), code="offset_out_of_range"
        )


def _split(length: timedelta) -> list[tuple[int, str]]:
    minutes = int(length.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return [(n, unit) for n, unit in ((days, DAY), (hours, HOUR), (minutes, MINUTE)) if n]


def format_offset(delta: timedelta | None, unit: str = "") -> str:
    """``timedelta(hours=-2)`` -> ``"T-2 h"``; ``timedelta(0)`` -> ``"T0"``.

    The preferred ``unit`` is used when the offset is a whole number of it
    (``timedelta(days=1)`` is ``T+24 h`` with unit ``h``, ``T+1 d`` without); otherwise
    the offset is spelt in days, hours and minutes (``T-1 d 2 h``).
    """
    if delta is None:
        return ""
    if not delta:
        return "T0"
    sign = "-" if delta < timedelta(0) else "+"
    length = abs(delta)
    step = UNITS.get(unit)
    if step is not None and length % step == timedelta(0):
        return f"T{sign}{length // step} {unit}"
    parts = _split(length)
    if not parts:  # under a minute: show seconds rather than a wrong T0
        return f"T{sign}{int(length.total_seconds())} s"
    return f"T{sign}" + " ".join(f"{n} {u}" for n, u in parts)


def countdown_parts(t0: datetime, now: datetime) -> dict:
    """What the countdown shows: sign, days, hours, minutes, seconds to or since T0."""
    delta = t0 - now
    before = delta > timedelta(0)
    seconds = int(abs(delta).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return {
        "sign": "-" if before else "+",
        "before": before,
        "days": days,
        "hours": hours,
        "minutes": minutes,
        "seconds": seconds,
        "label": f"T{'-' if before else '+'}{days} d {hours:02d}:{minutes:02d}",
        "seconds_label": f":{seconds:02d}",
        "total_seconds": int(delta.total_seconds()),
    }


def countdown_label(t0: datetime, now: datetime) -> str:
    """``"T-2 d 03:14"`` two days, three hours, fourteen minutes before T0; ``T+…`` after."""
    return countdown_parts(t0, now)["label"]
