"""Evaluating flags: fast, in-process, and never more than a moment behind the database.

How a decision is made (DESIGN.md "Kill switches and gates"):

- the current state of a (flag, scope) is the latest row (by ``effective_from``, then
  id) with ``effective_from <= now`` and no ``until`` or ``until > now``; when a
  temporary row ends, the row before it is in force again;
- a **kill switch** is blocked if the current state of any scope matching the context
  (global, then project, round, claim type, network, user) is ``blocked``: deny wins.
  Reasons: ``BLOCKED_GLOBAL``, ``BLOCKED_SCOPE``; otherwise ``ALLOWED`` when an explicit
  ``allowed`` state matched (the deciding state is the global one if any) or
  ``DEFAULT`` when none did;
- a **gate** is open if the current state of any matching scope is ``open`` (globally
  or for this user …): ``GATE_OPEN``; otherwise ``GATE_CLOSED`` (the deciding state is the
  explicit ``closed`` state that matched, if any; ``None`` when the gate was never set).

Context: keys are the scope kinds minus ``global`` (``project``, ``round``,
``claim_type``, ``network``, ``user``); an empty value means "not given". A key the flag
does not accept, an unknown key or a malformed value (see ``apps.flags.scopes``) raises
``ContextError`` with field messages; an unknown flag raises ``FlagNotFound``.

Propagation. Each process keeps a snapshot of every flag and every state that can still
be in force, keyed by the flags **version**. The version is derived from the append-only
tables — ``"<number of states>.<highest state id>.<highest flag id>"`` — so a toggle
changes no counter row; the count catches a state whose transaction commits after one
with a higher id. Every evaluation reads the version once:

- from the shared cache (one Redis GET), where the services put the new version in
  ``transaction.on_commit`` after each change; a missing key is recomputed from the
  database and added (``add``, so a reader never overwrites a newer version). The key
  lives ``FLAGS_VERSION_CACHE_SECONDS`` (default 1 s): two writers committing at the same
  instant could store their versions out of order, and the expiry bounds that to a second;
- from the database (one small query) when the cache is process-local (LocMemCache, the
  SQLite default) or unreachable, when the caller is inside a transaction (which must see
  its own uncommitted changes), or when ``FLAGS_VERSION_SOURCE=db``: then a change made
  by another process (a Celery worker) is still seen at once. ``FLAGS_VERSION_SOURCE=cache``
  always uses the cache.

A process that read the version from the cache less than
``FLAGS_VERSION_CHECK_INTERVAL_MS`` ago (default 50 ms) reuses it, and a process that
made a change forgets it at once.

When the version differs from the snapshot's, only the state rows added since are read
(states are append-only; the row count in the version proves no lower id committed
late) and merged into a copy of the affected flags; a new flag or a count that does not
add up reloads everything (two queries).
Otherwise an evaluation is a few dictionary look-ups: per flag, the current state of
every scope is precomputed for a time window that ends at the next ``effective_from``
or ``until`` of that flag's rows, so temporary states end on time without a reload.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.logging import get_logger
from apps.flags.scopes import CONTEXT_KEYS, ScopeKind, normalize_scope_value

log = get_logger(__name__)

VERSION_CACHE_KEY = "flags:version"
KILL_SWITCH = "kill_switch"
GATE = "gate"
BLOCKED = "blocked"
OPEN = "open"

# Reasons of a decision.
DEFAULT = "DEFAULT"
ALLOWED = "ALLOWED"
BLOCKED_GLOBAL = "BLOCKED_GLOBAL"
BLOCKED_SCOPE = "BLOCKED_SCOPE"
GATE_OPEN = "GATE_OPEN"
GATE_CLOSED = "GATE_CLOSED"

_GLOBAL_SCOPE = (ScopeKind.GLOBAL.value, "")
#: The order context scopes are looked at (the first blocking one decides).
_CONTEXT_ORDER = tuple(str(k) for k in CONTEXT_KEYS)
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


class FlagNotFound(Exception):
    """No flag has this key. ``index`` is set by ``evaluate_many``."""

    def __init__(self, key: str, *, index: int | None = None):
        super().__init__(f"No flag '{key}'.")
        self.key = key
        self.index = index

    @property
    def field(self) -> str:
        return "flag" if self.index is None else f"checks[{self.index}].flag"


class ContextError(Exception):
    """The context does not fit the flag; ``fields`` maps each key to its messages."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True, slots=True)
class StateInfo:
    """A state row as the evaluation sees it (``since`` is its ``effective_from``)."""

    id: int
    scope_kind: str
    scope_value: str
    state: str
    reason: str
    incident_ref: str
    since: datetime
    until: datetime | None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "scope_kind": self.scope_kind,
            "scope_value": self.scope_value,
            "state": self.state,
            "reason": self.reason,
            "incident_ref": self.incident_ref,
            "since": self.since.isoformat(),
            "until": self.until.isoformat() if self.until else None,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer for one flag and context."""

    flag: str
    allowed: bool
    reason: str
    state: StateInfo | None
    version: str

    def as_dict(self) -> dict:
        return {
            "flag": self.flag,
            "allowed": self.allowed,
            "reason": self.reason,
            "state": self.state.as_dict() if self.state else None,
            "version": self.version,
        }


# --- the in-process snapshot ----------------------------------------------------------


class _FlagEntry:
    """One flag with the rows that can still be in force, grouped by scope."""

    __slots__ = ("key", "kind", "fund_related", "scopes", "description", "rows", "_window")

    def __init__(self, key, kind, fund_related, scopes, description):
        self.key = key
        self.kind = kind
        self.fund_related = fund_related
        self.scopes = frozenset(s for s in scopes if s != ScopeKind.GLOBAL)
        self.description = description
        #: (scope_kind, scope_value) -> rows, newest first
        self.rows: dict[tuple[str, str], list[StateInfo]] = {}
        self._window: tuple[datetime, datetime, dict] | None = None

    def clone(self) -> _FlagEntry:
        """A copy whose scope lists can take new rows without touching this one (other
        threads may still be reading the snapshot this entry belongs to)."""
        twin = _FlagEntry.__new__(_FlagEntry)
        twin.key, twin.kind, twin.fund_related = self.key, self.kind, self.fund_related
        twin.scopes, twin.description = self.scopes, self.description
        twin.rows = {scope: list(rows) for scope, rows in self.rows.items()}
        twin._window = None
        return twin

    def add_row(self, row: StateInfo, now: datetime) -> None:
        """Put a new row in its place (newest ``effective_from``, then id, first) and drop
        the rows a permanent row in force now hides for good."""
        rows = self.rows.setdefault((row.scope_kind, row.scope_value), [])
        rank = (row.since, row.id)
        at = 0
        while at < len(rows) and (rows[at].since, rows[at].id) > rank:
            at += 1
        rows.insert(at, row)
        for index, kept in enumerate(rows):
            if kept.until is None and kept.since <= now:
                del rows[index + 1 :]
                break
        self._window = None

    def current_at(self, now: datetime) -> dict[tuple[str, str], StateInfo]:
        """The state in force per scope at ``now`` (only scopes that have one)."""
        window = self._window
        if window is not None and window[0] <= now < window[1]:
            return window[2]
        current: dict[tuple[str, str], StateInfo] = {}
        boundary = _FAR_FUTURE
        for scope, rows in self.rows.items():
            for row in rows:
                if row.since > now:
                    boundary = min(boundary, row.since)
                    continue
                if row.until is not None and row.until <= now:
                    continue
                current[scope] = row
                if row.until is not None:
                    boundary = min(boundary, row.until)
                break
        self._window = (now, boundary, current)
        return current


@dataclass
class _Snapshot:
    version: str
    loaded_at: datetime
    flags: dict[str, _FlagEntry]
    by_id: dict[int, _FlagEntry]


_lock = threading.Lock()
_snapshot: _Snapshot | None = None
_rendered: tuple[str, datetime, dict] | None = None


def _db_version() -> str:
    """The version computed from the tables (one query)."""
    from apps.flags.models import Flag, FlagState

    state_table = connection.ops.quote_name(FlagState._meta.db_table)
    flag_table = connection.ops.quote_name(Flag._meta.db_table)
    # Table names come from the models' meta, quoted: nothing from outside.
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {state_table}), (SELECT MAX(id) FROM {state_table}), "  # noqa: S608
        f"(SELECT MAX(id) FROM {flag_table})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        count, state_max, flag_max = cursor.fetchone()
    return f"{count or 0}.{state_max or 0}.{flag_max or 0}"


def _cache():
    return caches[getattr(settings, "FLAGS_CACHE_ALIAS", "default")]


def _version_from_db() -> bool:
    mode = getattr(settings, "FLAGS_VERSION_SOURCE", "auto")
    if mode == "db":
        return True
    if mode == "cache":
        return False
    if connection.in_atomic_block:
        # Inside a transaction the shared cache may not yet (or no longer) match what this
        # transaction sees, e.g. its own uncommitted change: ask the database.
        return True
    backend = settings.CACHES[getattr(settings, "FLAGS_CACHE_ALIAS", "default")]["BACKEND"]
    # A process-local cache cannot carry a change from another process.
    return backend.endswith(("LocMemCache", "DummyCache"))


def _cache_ttl() -> float:
    return float(getattr(settings, "FLAGS_VERSION_CACHE_SECONDS", 1.0))


# The version last read from the shared cache in this process, and when (monotonic
# seconds). Within FLAGS_VERSION_CHECK_INTERVAL_MS it answers without asking the cache
# again, so a busy process asks Redis a few times a second rather than once per call.
_checked: tuple[float, str] | None = None


def _check_interval() -> float:
    return float(getattr(settings, "FLAGS_VERSION_CHECK_INTERVAL_MS", 0)) / 1000.0


def current_version() -> str:
    """The flags version now (one cache GET, or one small query; see the module doc)."""
    global _checked
    if _version_from_db():
        return _db_version()
    interval = _check_interval()
    checked = _checked
    if interval > 0 and checked is not None and time.monotonic() - checked[0] < interval:
        return checked[1]
    try:
        cache = _cache()
        version = cache.get(VERSION_CACHE_KEY)
        if version is None:
            version = _db_version()
            cache.add(VERSION_CACHE_KEY, version, timeout=_cache_ttl())
        _checked = (time.monotonic(), version)
        return version
    except Exception as exc:  # the cache is down: the database still answers
        log.warning("flags.version_cache_unavailable", error=str(exc))
        return _db_version()


def publish_version() -> str:
    """Store the version as the database has it now (run after a change commits)."""
    global _checked
    version = _db_version()
    _checked = None  # this process sees its own change at once
    if not _version_from_db():
        try:
            _cache().set(VERSION_CACHE_KEY, version, timeout=_cache_ttl())
        except Exception as exc:
            log.warning("flags.version_publish_failed", error=str(exc))
    return version


def _load(version: str) -> _Snapshot:
    from apps.flags.models import Flag, FlagState

    now = timezone.now()
    flags: dict[str, _FlagEntry] = {}
    by_id: dict[int, _FlagEntry] = {}
    for pk, key, kind, fund_related, scopes, description in Flag.objects.values_list(
        "pk", "key", "kind", "fund_related", "scopes", "description"
    ):
        entry = _FlagEntry(key, kind, fund_related, scopes or [], description)
        flags[key] = entry
        by_id[pk] = entry
    # Sorted here rather than by the database: sorting text columns under the database's
    # collation cost more than the whole Python sort.
    rows = sorted(
        FlagState.objects.not_ended(now).order_by().values_list(*_STATE_COLUMNS),
        key=lambda r: (r[0], r[2], r[3], _neg_time(r[7]), -r[1]),
    )
    closed: set[tuple[int, str, str]] = set()
    for flag_id, pk, scope_kind, scope_value, state, reason, incident, since, until in rows:
        entry = by_id.get(flag_id)
        scope_id = (flag_id, scope_kind, scope_value)
        if entry is None or scope_id in closed:
            continue
        entry.rows.setdefault((scope_kind, scope_value), []).append(
            StateInfo(pk, scope_kind, scope_value, state, reason, incident, since, until)
        )
        # A permanent row already in force hides every older row for good.
        if until is None and since <= now:
            closed.add(scope_id)
    return _Snapshot(version=version, loaded_at=now, flags=flags, by_id=by_id)


def _parse_version(version: str) -> tuple[int, int, int] | None:
    try:
        count, state_max, flag_max = (int(part) for part in version.split("."))
    except (AttributeError, ValueError):
        return None
    return count, state_max, flag_max


_STATE_COLUMNS = (
    "flag_id",
    "id",
    "scope_kind",
    "scope_value",
    "state",
    "reason",
    "incident_ref",
    "effective_from",
    "until",
)


def _load_new_rows(snap: _Snapshot, version: str) -> _Snapshot | None:
    """The snapshot at ``version`` built from ``snap`` plus the state rows added since.

    States are append-only, so a change is new rows with ids above the snapshot's
    highest. The row count in the version proves no lower id committed late (then
    ``None``: reload in full); a new flag also means a full reload. One small query
    instead of reading every state again: this is what keeps a change cheap for every
    worker when there are many states.
    """
    from apps.flags.models import FlagState

    new, old = _parse_version(version), _parse_version(snap.version)
    if new is None or old is None:
        return None
    count, state_max, flag_max = new
    old_count, old_state_max, old_flag_max = old
    if flag_max != old_flag_max or count < old_count or state_max < old_state_max:
        return None
    rows = list(
        FlagState.objects.filter(id__gt=old_state_max, id__lte=state_max).values_list(
            *_STATE_COLUMNS
        )
    )
    if old_count + len(rows) != count:
        return None
    now = timezone.now()
    flags, by_id, cloned = dict(snap.flags), dict(snap.by_id), set()
    for flag_id, pk, scope_kind, scope_value, state, reason, incident, since, until in sorted(
        rows, key=lambda r: r[1]
    ):
        entry = by_id.get(flag_id)
        if entry is None:
            return None
        if flag_id not in cloned:
            entry = entry.clone()
            by_id[flag_id] = flags[entry.key] = entry
            cloned.add(flag_id)
        if until is not None and until <= now:
            continue
        entry.add_row(
            StateInfo(pk, scope_kind, scope_value, state, reason, incident, since, until), now
        )
    return _Snapshot(version=version, loaded_at=now, flags=flags, by_id=by_id)


def _neg_time(moment: datetime) -> float:
    return -moment.timestamp()


def _get_snapshot(version: str | None = None) -> _Snapshot:
    global _snapshot
    version = version or current_version()
    snap = _snapshot
    if snap is not None and snap.version == version:
        return snap
    with _lock:
        snap = _snapshot
        if snap is None or snap.version != version:
            snap = (_load_new_rows(snap, version) if snap is not None else None) or _load(version)
            _snapshot = snap
            log.debug("flags.snapshot_loaded", version=version, flags=len(snap.flags))
    return snap


def reset() -> None:
    """Forget this process's snapshot (tests; the next evaluation reloads)."""
    global _snapshot, _rendered, _checked
    with _lock:
        _snapshot = None
        _rendered = None
        _checked = None


# --- evaluation -----------------------------------------------------------------------


def _normalize_context(
    entry: _FlagEntry, context: Mapping[str, str] | None, prefix: str = ""
) -> list[tuple[str, str]]:
    if not context:
        return []
    if not isinstance(context, Mapping):
        raise ContextError({prefix.rstrip(".") or "context": [_("The context must be an object.")]})
    given: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for key, value in context.items():
        if value is None or value == "":
            continue
        if key not in _CONTEXT_ORDER:
            errors[f"{prefix}{key}"] = [
                _("Unknown context key; use %(keys)s.") % {"keys": ", ".join(_CONTEXT_ORDER)}
            ]
            continue
        if key not in entry.scopes:
            errors[f"{prefix}{key}"] = [
                _("%(flag)s does not accept the %(scope)s scope.")
                % {"flag": entry.key, "scope": key}
            ]
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            errors[f"{prefix}{key}"] = [_("Give the value as text.")]
            continue
        try:
            given[key] = normalize_scope_value(key, value)
        except ValueError as exc:
            errors[f"{prefix}{key}"] = [str(exc)]
    if errors:
        raise ContextError(errors)
    return [(key, given[key]) for key in _CONTEXT_ORDER if key in given]


def _decide(entry: _FlagEntry, scopes: list[tuple[str, str]], now, version: str) -> Decision:
    current = entry.current_at(now)
    glob = current.get(_GLOBAL_SCOPE)
    if entry.kind == GATE:
        if glob is not None and glob.state == OPEN:
            return Decision(entry.key, True, GATE_OPEN, glob, version)
        closed = glob
        for scope in scopes:
            row = current.get(scope)
            if row is None:
                continue
            if row.state == OPEN:
                return Decision(entry.key, True, GATE_OPEN, row, version)
            closed = closed or row
        return Decision(entry.key, False, GATE_CLOSED, closed, version)
    if glob is not None and glob.state == BLOCKED:
        return Decision(entry.key, False, BLOCKED_GLOBAL, glob, version)
    allowed_row = glob
    for scope in scopes:
        row = current.get(scope)
        if row is None:
            continue
        if row.state == BLOCKED:
            return Decision(entry.key, False, BLOCKED_SCOPE, row, version)
        allowed_row = allowed_row or row
    if allowed_row is not None:
        return Decision(entry.key, True, ALLOWED, allowed_row, version)
    return Decision(entry.key, True, DEFAULT, None, version)


def evaluate(key: str, context: Mapping[str, str] | None = None, *, now=None) -> Decision:
    """Decide ``key`` for ``context`` (e.g. ``{"round": "42", "user": "u-7"}``)."""
    snap = _get_snapshot()
    entry = snap.flags.get(key)
    if entry is None:
        raise FlagNotFound(key)
    scopes = _normalize_context(entry, context)
    return _decide(entry, scopes, now or timezone.now(), snap.version)


def evaluate_many(checks: Sequence[tuple[str, Mapping[str, str]]], *, now=None) -> list[Decision]:
    """Decide several flags at one version; the first unknown key or bad context raises
    (``FlagNotFound.index``; ``ContextError`` fields named ``checks[i].context.<key>``)."""
    snap = _get_snapshot()
    now = now or timezone.now()
    decisions = []
    for index, (key, context) in enumerate(checks):
        entry = snap.flags.get(key)
        if entry is None:
            raise FlagNotFound(key, index=index)
        scopes = _normalize_context(entry, context, prefix=f"checks[{index}].context.")
        decisions.append(_decide(entry, scopes, now, snap.version))
    return decisions


def flag_keys() -> list[str]:
    """Every flag key known at the current version."""
    return sorted(_get_snapshot().flags)


def snapshot() -> dict:
    """Everything a service needs to evaluate locally, JSON-ready.

    ``flags``: each flag with ``states``: the rows in force now or later (later:
    ``effective_from`` in the future; rows a permanent row in force now has superseded
    are left out, since they can never be in force again). Evaluate locally with the
    rules in this module's doc.
    """
    global _rendered
    snap = _get_snapshot()
    now = timezone.now()
    rendered = _rendered
    # The rendering stays valid while no flag's window has passed.
    if rendered is not None and rendered[0] == snap.version and now < rendered[1]:
        return rendered[2]
    horizon = _FAR_FUTURE
    flags = []
    for key in sorted(snap.flags):
        entry = snap.flags[key]
        entry.current_at(now)  # makes sure the window (and its end) is computed for now
        horizon = min(horizon, entry._window[1])
        states = [
            {
                "id": row.id,
                "scope_kind": row.scope_kind,
                "scope_value": row.scope_value,
                "state": row.state,
                "reason": row.reason,
                "incident_ref": row.incident_ref,
                "effective_from": row.since.isoformat(),
                "until": row.until.isoformat() if row.until else None,
            }
            for scope_rows in entry.rows.values()
            for row in scope_rows
            if row.until is None or row.until > now
        ]
        states.sort(key=lambda s: (s["scope_kind"], s["scope_value"], s["id"]))
        flags.append(
            {
                "key": entry.key,
                "kind": entry.kind,
                "fund_related": entry.fund_related,
                "scopes": [ScopeKind.GLOBAL.value, *sorted(entry.scopes)],
                "description": entry.description,
                "states": states,
            }
        )
    result = {"version": snap.version, "generated_at": now.isoformat(), "flags": flags}
    _rendered = (snap.version, horizon, result)
    return result
