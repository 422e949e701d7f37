"""The keyed hash chain over the audit tables.

There are three chains, one per table: ``changes`` (LogEntry, written by
django-auditlog), ``events`` (AuditEvent) and ``access`` (AccessLogEntry). Each row
stores

* ``prev_hash``: the ``row_hash`` of the previous row of its chain, or 64 zeros
  (``GENESIS``) for the first row;
* ``key_id``: which chain key hashed it (below);
* ``row_hash``: ``HMAC-SHA256(key, prev_hash + canonical_json(content))`` as lowercase
  hex, where ``content`` is ``{"chain": <chain name>, "key_id": <key id>}`` plus every
  column the model lists in ``HASHED_FIELDS`` (by attname, so foreign keys appear as
  ``actor_id`` etc.).

Canonical JSON: keys sorted, separators ``","`` and ``":"``, non-ASCII kept, encoded
as UTF-8. Values are taken as the database will return them: text as ``str``, integers
and foreign keys as ``int``, date-times as UTC ISO 8601 with microseconds
(``2026-01-31T09:15:00.000000+00:00``), IP addresses in Django's normalised form (empty
means null), JSON columns after a round trip through their encoder with integral
floats written as integers (PostgreSQL's jsonb may return ``1e20`` as an integer).

The database id is not hashed: the database assigns it during the insert, after the
hash is computed, and the append-only trigger forbids writing the hash afterwards. The
order of rows is pinned by ``prev_hash`` instead, and ``audit_verify`` walks rows in id
order, so removing, reordering or altering a row breaks a link.

Appending locks every chain head (``ChainHead``, ``SELECT … FOR UPDATE``) in name order,
then inserts the row and moves its head. Taking all three in one fixed order means two
transactions that write to several chains in different orders wait for each other
instead of deadlocking; audited writes are serialised, which is the price of one
provable order.

**Keys.** The hash is keyed so that a row cannot be forged without the key: someone who
can write the database but does not hold ``AUDIT_CHAIN_KEY`` (it lives in the
environment of the portal's processes, never in the database) cannot compute a
``row_hash`` that verifies. Whoever does hold it (the portal's own processes) could; against
that, anchors kept elsewhere are the proof (below). A key's id is the first 16 hex digits of
``HMAC-SHA256(key, "opsportal audit chain key id")``: it names the key without
revealing it. Rotation: the old key moves to ``AUDIT_CHAIN_OLD_KEYS`` (comma-separated,
oldest first) and a new ``AUDIT_CHAIN_KEY`` is set; every process restarts with both
settings.
Rows keep the key they were written with; verification finds each row's key by its
``key_id``. Keys only move forward along a chain: a row hashed with a retired key after a
row hashed with a newer one is reported, so a leaked old key cannot be used to append.
Stop every writer during the switch (web, workers, beat) so no old process appends with
the retired key after a new one has.

**Conversion.** Chains written before keys existed were plain SHA-256 with no
``key_id``. Migration ``audit`` "chain_rekeyed" verifies that older chain up to its head
(unkeyed) and stops with a message naming the first broken row if it is not intact: a
tampered trail is investigated, not re-signed. If intact, it recomputes every row's
``prev_hash``/``row_hash`` with the key in id order, moves the heads, and appends one
``audit.chain_rekeyed`` event recording, per chain, the row count, the last id and the
old (unkeyed) head hash: the checkpoint that ties the keyed chain to the one it replaced.
Re-keying every row (rather than starting a keyed segment after the old rows) keeps one
recipe for every row, so ``audit_verify`` has no second mode.

**Tail protection** (PostgreSQL triggers, migration ``audit`` "tail_proof_triggers"):
audit rows refuse UPDATE, DELETE and TRUNCATE; a new row must link to its chain head
(``prev_hash`` equals the head's ``last_hash``); the head row moves only forward, one
row at a time, to the newest row of its chain with that row's hash, and refuses DELETE
and TRUNCATE. Deleting the last rows and rewinding the head, or truncating a table and
resetting its head, is therefore refused unless the triggers are switched off (table
owner or superuser). **Anchors** close that last gap: a periodic task writes the heads
(chain, last id, last hash) to the log and to a notification channel, outside the
database; ``audit_verify --anchor`` proves that the chain still contains an anchored row
with the anchored hash. A chain cut below an anchored row loses that row; a chain rebuilt
at or before it changes its hash (each hash covers every row before it); and without the
key no rebuilt row verifies at all.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, IntegrityError, models, router, transaction

GENESIS = "0" * 64
CHAIN_NAMES = ("access", "changes", "events")  # also the lock order
KEY_ID_LENGTH = 16
_KEY_ID_MESSAGE = b"opsportal audit chain key id"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _normalise_json(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(key): _normalise_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise_json(item) for item in value]
    return value


def canonical_value(field: models.Field, value: Any) -> Any:
    """The value of one column as the row hash sees it (see the module docstring)."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return _normalise_json(json.loads(json.dumps(value, cls=field.encoder)))
    value = field.get_prep_value(value)
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(field, models.GenericIPAddressField):
        return str(value) or None
    if isinstance(field, models.IntegerField | models.ForeignKey):
        return int(value)
    return str(value)


# --- keys ------------------------------------------------------------------------------


def key_id_for(secret: str) -> str:
    """The public name of a chain key (see the module docstring)."""
    digest = hmac.new(secret.encode("utf-8"), _KEY_ID_MESSAGE, hashlib.sha256).hexdigest()
    return digest[:KEY_ID_LENGTH]


@dataclass(frozen=True)
class ChainKey:
    key_id: str
    rank: int  # position in the rotation: older keys rank lower
    _mac: Any = field(repr=False, compare=False)

    def sign(self, payload: bytes) -> str:
        mac = self._mac.copy()  # the key schedule is computed once per key, not per row
        mac.update(payload)
        return mac.hexdigest()


@dataclass(frozen=True)
class KeyRing:
    current: ChainKey
    by_id: dict[str, ChainKey]


@functools.lru_cache(maxsize=8)
def _ring(current: str, old: tuple[str, ...]) -> KeyRing:
    secrets = [secret for secret in old if secret and secret != current] + [current]
    by_id: dict[str, ChainKey] = {}
    for rank, secret in enumerate(secrets):
        key_id = key_id_for(secret)
        by_id[key_id] = ChainKey(
            key_id, rank, hmac.new(secret.encode("utf-8"), digestmod=hashlib.sha256)
        )
    return KeyRing(current=by_id[key_id_for(current)], by_id=by_id)


def key_ring() -> KeyRing:
    """The current chain key and every key still accepted for verification."""
    current = getattr(settings, "AUDIT_CHAIN_KEY", "") or ""
    if not current:
        raise ImproperlyConfigured("AUDIT_CHAIN_KEY is empty; the audit chain needs a key.")
    return _ring(current, tuple(getattr(settings, "AUDIT_CHAIN_OLD_KEYS", ()) or ()))


# --- hashing ---------------------------------------------------------------------------


@functools.cache
def hashed_fields(model: type[models.Model]) -> tuple[tuple[str, models.Field], ...]:
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    return tuple((attname, by_attname[attname]) for attname in model.HASHED_FIELDS)


def row_content(instance: models.Model) -> dict[str, Any]:
    content: dict[str, Any] = {"chain": instance.CHAIN, "key_id": instance.key_id}
    for attname, field_ in hashed_fields(type(instance)):
        content[attname] = canonical_value(field_, getattr(instance, attname))
    return content


def row_payload(instance: models.Model, *, prev_hash: str) -> bytes:
    return (prev_hash + canonical_json(row_content(instance))).encode("utf-8")


def compute_row_hash(instance: models.Model, *, prev_hash: str, key: ChainKey) -> str:
    return key.sign(row_payload(instance, prev_hash=prev_hash))


# --- appending -------------------------------------------------------------------------


def _head_model():
    return apps.get_model("audit", "ChainHead")


def ensure_heads(using: str = DEFAULT_DB_ALIAS) -> None:
    """Create missing chain heads at genesis (normally made by migration 0003).

    A concurrent creator may win the race; its head is as good as ours.
    """
    head_model = _head_model()
    existing = set(
        head_model.objects.using(using)
        .filter(chain__in=CHAIN_NAMES)
        .values_list("chain", flat=True)
    )
    for name in CHAIN_NAMES:
        if name in existing:
            continue
        try:
            with transaction.atomic(using=using):
                head_model.objects.using(using).create(chain=name, last_hash=GENESIS, last_id=0)
        except IntegrityError:
            pass


def _lock_heads(using: str) -> dict[str, Any]:
    head_model = _head_model()
    query = (
        head_model.objects.using(using)
        .select_for_update()
        .filter(chain__in=CHAIN_NAMES)
        .order_by("chain")
    )
    heads = {head.chain: head for head in query}
    if len(heads) < len(CHAIN_NAMES):
        ensure_heads(using)
        heads = {head.chain: head for head in query.all()}
    return heads


def append(instance: models.Model, insert: Callable[[], None], *, using: str | None) -> None:
    """Chain ``instance`` onto its chain and run ``insert`` (which saves it) under the lock."""
    using = using or router.db_for_write(type(instance), instance=instance)
    key = key_ring().current
    with transaction.atomic(using=using):
        head = _lock_heads(using).get(instance.CHAIN)
        if head is None:
            # Only a head deleted while its chain has rows gets here (PostgreSQL refuses to
            # recreate it then): the trail was tampered with, and nothing may be added.
            raise IntegrityError(
                f"The audit chain head '{instance.CHAIN}' is missing and its chain is not "
                "empty; run manage.py audit_verify."
            )
        instance.key_id = key.key_id
        instance.prev_hash = head.last_hash
        instance.row_hash = compute_row_hash(instance, prev_hash=head.last_hash, key=key)
        insert()
        head.last_hash = instance.row_hash
        head.last_id = instance.pk
        head.save(update_fields=["last_hash", "last_id"])


# --- verification ----------------------------------------------------------------------


@dataclass
class ChainBreak:
    row_id: int | None
    problem: str


@dataclass
class ChainReport:
    chain: str
    rows: int
    broken: ChainBreak | None = None
    anchors_proven: list[int] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.broken is None


def _check_row(row, ring: KeyRing, newest_rank: int) -> str | None:
    """What is wrong with one row's own hash, or None."""
    key = ring.by_id.get(row.key_id)
    if key is None:
        return (
            f"it was hashed with key id '{row.key_id}', which is neither AUDIT_CHAIN_KEY nor "
            "in AUDIT_CHAIN_OLD_KEYS (a forged row, or a key missing from the environment)"
        )
    if key.rank < newest_rank:
        return (
            f"it was hashed with the retired key '{row.key_id}' after rows hashed with a newer "
            "key (keys only move forward along a chain)"
        )
    expected = compute_row_hash(row, prev_hash=row.prev_hash, key=key)
    if not hmac.compare_digest(expected, row.row_hash):
        return f"stored hash {row.row_hash} does not match its content"
    return None


def verify_chain(
    model: type[models.Model],
    *,
    using: str = DEFAULT_DB_ALIAS,
    chunk_size: int = 2000,
    progress: Callable[[int], None] | None = None,
    anchors: Iterable[Any] = (),
) -> ChainReport:
    """Walk ``model``'s chain in id order and report the first broken link.

    Memory stays constant: rows stream through an iterator in chunks. The head is read
    first; rows appended while the walk runs are verified as links but the head check
    applies to the row the head named when the walk began. Each anchor (``last_id``,
    ``last_hash``) must name a row of the chain with exactly that hash.
    """
    name = model.CHAIN
    ring = key_ring()
    anchored: dict[int, str] = {}
    for anchor in anchors:
        anchored.setdefault(int(anchor.last_id), anchor.last_hash)
    head = _head_model().objects.using(using).filter(chain=name).first()
    report = ChainReport(chain=name, rows=0)
    if anchored.get(0, GENESIS) != GENESIS:
        report.broken = ChainBreak(None, "an anchor names row 0 with a hash other than genesis")
        return report
    if 0 in anchored:
        report.anchors_proven.append(0)
    expected_prev = GENESIS
    previous_id: int | None = None
    newest_rank = -1
    head_row_seen = head is None or head.last_id == 0
    rows: Iterator = model._base_manager.using(using).order_by("pk").iterator(chunk_size)
    for row in rows:
        report.rows += 1
        if progress is not None and report.rows % chunk_size == 0:
            progress(report.rows)
        problem = _check_row(row, ring, newest_rank)
        if problem is not None:
            report.broken = ChainBreak(row.pk, problem)
            return report
        newest_rank = ring.by_id[row.key_id].rank
        if row.prev_hash != expected_prev:
            where = f"row {previous_id}" if previous_id is not None else "the start of the chain"
            report.broken = ChainBreak(
                row.pk,
                f"prev_hash does not link to {where} (a row before it was removed or altered)",
            )
            return report
        if head is not None and row.pk == head.last_id:
            head_row_seen = True
            if row.row_hash != head.last_hash:
                report.broken = ChainBreak(
                    row.pk, "its hash does not match the chain head's record of it"
                )
                return report
        if row.pk in anchored:
            if anchored[row.pk] != row.row_hash:
                report.broken = ChainBreak(
                    row.pk,
                    f"its hash is not the anchored {anchored[row.pk]} (the chain was rewritten "
                    "at or before this row since the anchor was taken)",
                )
                return report
            report.anchors_proven.append(row.pk)
        expected_prev = row.row_hash
        previous_id = row.pk
    missing = sorted(set(anchored) - set(report.anchors_proven))
    if missing:
        report.broken = ChainBreak(
            missing[0],
            f"the anchored row {missing[0]} is not in the chain (rows were removed, or the "
            "chain was rebuilt, since the anchor was taken)",
        )
    elif head is None and report.rows:
        report.broken = ChainBreak(None, "the chain head is missing")
    elif head is not None and head.last_id == 0 and report.rows:
        report.broken = ChainBreak(None, "the chain head says the chain is empty")
    elif not head_row_seen:
        report.broken = ChainBreak(
            head.last_id,
            f"the chain head records row {head.last_id} as the newest, but the chain "
            f"ends at {f'row {previous_id}' if previous_id is not None else 'no row'} "
            "(rows were removed from its end)",
        )
    return report
