"""The rotation engine: expand layers into shifts and resolve the final schedule.

Pure functions over plain data (no database), so the rules can be read and tested in
one place.

Time rules
----------
* Shift boundaries are local wall-clock times in the layer's time zone, generated with
  RRULEs (``dateutil.rrule``) on naive local datetimes and converted to UTC one by one.
  A daily 09:00 handoff therefore stays 09:00 local across daylight-saving changes: the
  shift that spans the change is 23 or 25 hours long.
* A local time that occurs twice (the fall-back hour) is read as its first occurrence
  (``fold=0``, the summer-time one).
* A local time that does not exist (the spring-forward hour) is read with the offset in
  force before the jump, as RFC 5545 says for DTSTART: 02:30 on the night the clocks go
  from 02:00 to 03:00 becomes 03:30. A layer whose *first* handoff would fall in such a
  gap is refused when it is saved (``nonexistent_local_time``).
* Boundaries are made non-decreasing (a running maximum), so shifts never overlap even
  when a gap makes two boundaries meet; a shift squeezed to nothing is skipped.

Resolution
----------
Overrides beat layers; among overrides the newest wins; among layers the higher priority
wins, then the newer layer. Adjacent pieces with the same person and source are merged.
What nobody covers is a gap.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, HOURLY, WEEKLY, rrule

ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)
_FREQ = {"hours": HOURLY, "daily": DAILY, "weekly": WEEKLY}


def all_days() -> list[int]:
    return list(ALL_DAYS)


@dataclass(frozen=True)
class LayerSpec:
    """One layer version, as the engine needs it."""

    key: int  # the layer's id: the source of its shifts
    version: int | None
    priority: int
    timezone: str
    shift_kind: str  # hours | daily | weekly
    shift_length: int
    handoff_time: time
    days_of_week: tuple[int, ...]
    start_date: date
    end_date: date | None
    effective_from: datetime
    effective_until: datetime | None
    participants: tuple[int, ...]  # user ids, in turn order


@dataclass(frozen=True)
class OverrideSpec:
    key: int
    user_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Segment:
    """A candidate piece of coverage before resolution."""

    start: datetime
    end: datetime
    user_id: int
    source: str
    rank: tuple


@dataclass(frozen=True)
class FinalShift:
    """One row of the final schedule: ``user_id`` is on call from ``start`` to ``end``."""

    start: datetime
    end: datetime
    user_id: int
    source: str  # "layer:<id>" or "override:<id>"

    @property
    def source_kind(self) -> str:
        return self.source.split(":", 1)[0]

    @property
    def source_id(self) -> int:
        return int(self.source.split(":", 1)[1])

    def covers(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


@dataclass(frozen=True)
class Gap:
    start: datetime
    end: datetime


# --- local time ------------------------------------------------------------------------


def to_utc(naive: datetime, tz: ZoneInfo) -> datetime:
    """A naive local wall-clock time in ``tz`` as an aware UTC time (fold=0; see above)."""
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)


def to_local_naive(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def exists_locally(naive: datetime, tz: ZoneInfo) -> bool:
    return to_local_naive(to_utc(naive, tz), tz) == naive


def nonexistent_local_time(day: date, at: time, timezone: str) -> tuple[time, time] | None:
    """If ``at`` on ``day`` does not exist in ``timezone`` (a spring-forward gap), return
    the local times the clocks jump from and to; otherwise None."""
    tz = ZoneInfo(timezone)
    naive = datetime.combine(day, at)
    if exists_locally(naive, tz):
        return None
    start = naive
    for _minute in range(24 * 60):
        earlier = start - timedelta(minutes=1)
        if exists_locally(earlier, tz):
            break
        start = earlier
    gap = (
        naive.replace(tzinfo=tz, fold=1).utcoffset() - naive.replace(tzinfo=tz, fold=0).utcoffset()
    )
    return start.time(), (start + abs(gap)).time()


# --- expansion -------------------------------------------------------------------------


def _period(spec: LayerSpec) -> timedelta:
    if spec.shift_kind == "hours":
        return timedelta(hours=spec.shift_length)
    if spec.shift_kind == "daily":
        return timedelta(days=spec.shift_length)
    return timedelta(weeks=spec.shift_length)


def layer_bounds(spec: LayerSpec) -> tuple[datetime, datetime | None]:
    """When a version's coverage can begin and must end, in UTC.

    It begins at the first handoff (or when the version took effect, if later) and ends
    at the handoff on the end date (or when the version was replaced, if earlier).
    """
    tz = ZoneInfo(spec.timezone)
    begin = max(
        to_utc(datetime.combine(spec.start_date, spec.handoff_time), tz), spec.effective_from
    )
    ends = [spec.effective_until] if spec.effective_until else []
    if spec.end_date is not None:
        ends.append(to_utc(datetime.combine(spec.end_date, spec.handoff_time), tz))
    return begin, (min(ends) if ends else None)


def _boundaries(spec: LayerSpec, lo: datetime, hi: datetime) -> Iterable[tuple[int, datetime]]:
    """(shift index, UTC start) from the shift containing ``lo`` until one past ``hi``."""
    tz = ZoneInfo(spec.timezone)
    period = _period(spec)
    base = datetime.combine(spec.start_date, spec.handoff_time)
    # Start a shift or two early: local offsets can move a boundary by a few hours.
    k0 = max(0, (to_local_naive(lo, tz) - base) // period - 2)
    until = to_local_naive(hi, tz) + period + timedelta(days=1)
    rule = rrule(
        _FREQ[spec.shift_kind], interval=spec.shift_length, dtstart=base + period * k0, until=until
    )
    running = None
    for offset, naive in enumerate(rule):
        instant = to_utc(naive, tz)
        running = instant if running is None or instant > running else running
        yield k0 + offset, running
        if running >= hi:
            return


def shift_bounds(spec: LayerSpec, at: datetime) -> tuple[datetime, datetime] | None:
    """The handoff-to-handoff shift of the layer's rotation that contains ``at``.

    Only the rotation's boundaries: who holds it, the active days and the version's
    dates are the final schedule's business. None before the first handoff.
    """
    previous = None
    for _index, start in _boundaries(spec, at, at + _period(spec)):
        if start > at:
            return (previous, start) if previous is not None else None
        previous = start
    return None


def _day_windows(spec: LayerSpec, lo: datetime, hi: datetime) -> list[tuple[datetime, datetime]]:
    """Merged handoff-to-handoff windows of the layer's active days, within [lo, hi)."""
    tz = ZoneInfo(spec.timezone)
    first = to_local_naive(lo, tz).date() - timedelta(days=2)
    until = datetime.combine(to_local_naive(hi, tz).date() + timedelta(days=1), spec.handoff_time)
    rule = rrule(
        DAILY,
        byweekday=spec.days_of_week,
        dtstart=datetime.combine(first, spec.handoff_time),
        until=until,
    )
    windows: list[tuple[datetime, datetime]] = []
    for naive in rule:
        start = to_utc(naive, tz)
        end = to_utc(naive + timedelta(days=1), tz)
        start, end = max(start, lo), min(end, hi)
        if start >= end:
            continue
        if windows and windows[-1][1] >= start:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


def expand_layer(spec: LayerSpec, window_start: datetime, window_end: datetime) -> list[Segment]:
    """The shifts of one layer version that fall in [window_start, window_end)."""
    if not spec.participants:
        return []
    begin, finish = layer_bounds(spec)
    lo = max(window_start, begin)
    hi = min(window_end, finish) if finish else window_end
    if lo >= hi:
        return []
    rank = (1, spec.priority, spec.key)
    source = f"layer:{spec.key}"
    count = len(spec.participants)
    shifts: list[Segment] = []
    previous: tuple[int, datetime] | None = None
    for index, start in _boundaries(spec, lo, hi):
        if previous is not None:
            prev_index, prev_start = previous
            seg_start, seg_end = max(prev_start, lo), min(start, hi)
            if seg_start < seg_end:
                user = spec.participants[prev_index % count]
                shifts.append(Segment(seg_start, seg_end, user, source, rank))
        previous = (index, start)
    if set(spec.days_of_week) == set(ALL_DAYS):
        return shifts
    masked = []
    for window_lo, window_hi in _day_windows(spec, lo, hi):
        for shift in shifts:
            start, end = max(shift.start, window_lo), min(shift.end, window_hi)
            if start < end:
                masked.append(Segment(start, end, shift.user_id, shift.source, shift.rank))
    return sorted(masked, key=lambda s: s.start)


def override_segments(
    overrides: Iterable[OverrideSpec], window_start: datetime, window_end: datetime
) -> list[Segment]:
    segments = []
    for override in overrides:
        start, end = max(override.start, window_start), min(override.end, window_end)
        if start < end:
            segments.append(
                Segment(start, end, override.user_id, f"override:{override.key}", (2, override.key))
            )
    return segments


# --- resolution ------------------------------------------------------------------------


def resolve(
    segments: Iterable[Segment], window_start: datetime, window_end: datetime
) -> list[FinalShift]:
    """The final schedule: at every instant the best-ranked segment; no overlap; merged."""
    events: list[tuple[datetime, int, int]] = []  # (time, 0=end/1=start, segment index)
    pieces = []
    for segment in segments:
        start, end = max(segment.start, window_start), min(segment.end, window_end)
        if start < end:
            pieces.append(Segment(start, end, segment.user_id, segment.source, segment.rank))
    for index, piece in enumerate(pieces):
        events.append((piece.start, 1, index))
        events.append((piece.end, 0, index))
    events.sort()
    active: list[tuple[tuple, int]] = []  # max-heap by rank via negation
    ended: set[int] = set()
    result: list[FinalShift] = []
    cursor = None
    position = 0
    while position < len(events):
        instant = events[position][0]
        # The piece that held [cursor, instant).
        if cursor is not None and cursor < instant:
            while active and active[0][1] in ended:
                heapq.heappop(active)
            if active:
                best = pieces[active[0][1]]
                _append(result, FinalShift(cursor, instant, best.user_id, best.source))
        while position < len(events) and events[position][0] == instant:
            _when, kind, index = events[position]
            if kind == 0:
                ended.add(index)
            else:
                heapq.heappush(active, (_negate(pieces[index].rank), index))
            position += 1
        cursor = instant
    return result


def _negate(rank: tuple) -> tuple:
    return tuple(-part for part in rank)


def _append(result: list[FinalShift], shift: FinalShift) -> None:
    if result:
        last = result[-1]
        if (
            last.end == shift.start
            and last.user_id == shift.user_id
            and last.source == shift.source
        ):
            result[-1] = FinalShift(last.start, shift.end, last.user_id, last.source)
            return
    result.append(shift)


def gaps(final: list[FinalShift], window_start: datetime, window_end: datetime) -> list[Gap]:
    """Stretches of [window_start, window_end) nobody covers."""
    found = []
    cursor = window_start
    for shift in final:
        if shift.start > cursor:
            found.append(Gap(cursor, min(shift.start, window_end)))
        cursor = max(cursor, shift.end)
    if cursor < window_end:
        found.append(Gap(cursor, window_end))
    return [gap for gap in found if gap.start < gap.end]


def final_schedule(
    layers: Iterable[LayerSpec],
    overrides: Iterable[OverrideSpec],
    window_start: datetime,
    window_end: datetime,
) -> list[FinalShift]:
    segments: list[Segment] = []
    for spec in layers:
        segments.extend(expand_layer(spec, window_start, window_end))
    segments.extend(override_segments(overrides, window_start, window_end))
    return resolve(segments, window_start, window_end)
