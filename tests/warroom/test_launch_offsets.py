"""T-offset notation: what people type, how it is shown, and the countdown label."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from apps.warroom.launch_time import (
    countdown_label,
    countdown_parts,
    format_offset,
    parse_offset,
)

D, H, M = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)

# The runbook's standard offsets, exactly as the portal shows them.
STANDARD = [
    ("T-7 d", -7 * D),
    ("T-3 d", -3 * D),
    ("T-1 d", -1 * D),
    ("T-2 h", -2 * H),
    ("T-30 min", -30 * M),
    ("T0", timedelta(0)),
    ("T+1 h", 1 * H),
    ("T+24 h", 24 * H),
    ("T+7 d", 7 * D),
]


@pytest.mark.parametrize(("text", "delta"), STANDARD)
def test_parse_offset__standard_notation__round_trips(text, delta):
    parsed = parse_offset(text)

    assert parsed.delta == delta
    assert str(parsed) == text


@pytest.mark.parametrize(
    ("text", "delta", "shown"),
    [
        ("T-7d", -7 * D, "T-7 d"),
        ("t - 2 hours", -2 * H, "T-2 h"),
        ("T−30 min", -30 * M, "T-30 min"),  # a typographic minus sign
        ("T+24h", 24 * H, "T+24 h"),
        ("T+1 day", 1 * D, "T+1 d"),
        ("T-1 d 2 h", -(D + 2 * H), "T-1 d 2 h"),
        ("T-2h30min", -(2 * H + 30 * M), "T-2 h 30 min"),
        ("T+0", timedelta(0), "T0"),
        ("T-0 h", timedelta(0), "T0"),
        ("T-3 hari", -3 * D, "T-3 d"),
        ("T-2 ч", -2 * H, "T-2 h"),
    ],
)
def test_parse_offset__spellings__accepted(text, delta, shown):
    parsed = parse_offset(text)

    assert parsed.delta == delta
    assert str(parsed) == shown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Give the offset from T0"),
        ("7 d", "is not an offset from T0"),
        ("T-7", "is not an offset from T0"),
        ("T-", "is not an offset from T0"),
        ("T-1.5 h", "is not an offset from T0"),
        ("T-2 weeks", "Unknown unit 'weeks'"),
        ("T-2 h 3 h", "appears twice"),
        ("T+91 d", "at most 90 days"),
        ("tomorrow", "is not an offset from T0"),
        ("T-2 h; drop table", "is not an offset from T0"),
    ],
)
def test_parse_offset__malformed__clear_error(text, message):
    with pytest.raises(ValidationError) as error:
        parse_offset(text)

    assert message in " ".join(error.value.messages)
    assert "T-7 d" in " ".join(error.value.messages) or "90 days" in message or "unit" in message


def test_format_offset__unit_preference__t_minus_1_d_and_t_plus_24_h_both_kept():
    assert format_offset(-1 * D, "d") == "T-1 d"
    assert format_offset(24 * H, "h") == "T+24 h"
    assert format_offset(24 * H, "") == "T+1 d"
    # A unit that does not divide the offset falls back to days/hours/minutes.
    assert format_offset(-(2 * H + 30 * M), "h") == "T-2 h 30 min"


def test_countdown_label__before_and_after_t0():
    t0 = datetime(2027, 3, 28, 9, 0, tzinfo=UTC)

    assert countdown_label(t0, t0 - (2 * D + 3 * H + 14 * M + 5 * timedelta(seconds=1))) == (
        "T-2 d 03:14"
    )
    assert countdown_label(t0, t0 + 90 * M) == "T+0 d 01:30"
    parts = countdown_parts(t0, t0 - 5 * timedelta(seconds=1))
    assert parts["label"] == "T-0 d 00:00"
    assert parts["seconds_label"] == ":05"
    assert parts["total_seconds"] == 5
