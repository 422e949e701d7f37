"""The hash chain over the audit tables.

There are three chains, one per table: ``changes`` (LogEntry, written by
django-auditlog), ``events`` (AuditEvent) and ``access`` (AccessLogEntry). Each row
stores

* ``prev_hash``: the ``row_hash`` of the previous row of its chain, or 64 zeros
  (``GENESIS``) for the first row;
* ``row_hash``: ``SHA-256(prev_hash + canonical_json(content))`` as lowercase hex, where
  ``content`` is ``{"chain": <chain name>}`` plus every column the model lists in
  ``HASHED_FIELDS`` (by attname, so foreign keys appear as ``actor_id`` etc.).

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

The hash is not a signature: someone who can write the database and recompute every
later hash and the head can forge a consistent chain. It proves that rows were not
changed or removed by any path that left the rest of the chain in place.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, IntegrityError, models, router, transaction

GENESIS = "0" * 64
CHAIN_NAMES = ("access", "changes", "events")  # also the lock order


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


@functools.cache
def hashed_fields(model: type[models.Model]) -> tuple[tuple[str, models.Field], ...]:
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    return tuple((attname, by_attname[attname]) for attname in model.HASHED_FIELDS)


def row_content(instance: models.Model) -> dict[str, Any]:
    content: dict[str, Any] = {"chain": instance.CHAIN}
    for attname, field in hashed_fields(type(instance)):
        content[attname] = canonical_value(field, getattr(instance, attname))
    return content


def compute_row_hash(instance: models.Model, *, prev_hash: str) -> str:
    payload = prev_hash + canonical_json(row_content(instance))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


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
    with transaction.atomic(using=using):
        head = _lock_heads(using)[instance.CHAIN]
        instance.prev_hash = head.last_hash
        instance.row_hash = compute_row_hash(instance, prev_hash=head.last_hash)
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

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify_chain(
    model: type[models.Model],
    *,
    using: str = DEFAULT_DB_ALIAS,
    chunk_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> ChainReport:
    """Walk ``model``'s chain in id order and report the first broken link.

    Memory stays constant: rows stream through an iterator in chunks. The head is read
    first; rows appended while the walk runs are verified as links but the head check
    applies to the row the head named when the walk began.
    """
    name = model.CHAIN
    head = _head_model().objects.using(using).filter(chain=name).first()
    report = ChainReport(chain=name, rows=0)
    expected_prev = GENESIS
    previous_id: int | None = None
    head_row_seen = head is None or head.last_id == 0
    rows: Iterator = model._base_manager.using(using).order_by("pk").iterator(chunk_size)
    for row in rows:
        report.rows += 1
        if progress is not None and report.rows % chunk_size == 0:
            progress(report.rows)
        if compute_row_hash(row, prev_hash=row.prev_hash) != row.row_hash:
            report.broken = ChainBreak(
                row.pk, f"stored hash {row.row_hash} does not match its content"
            )
            return report
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
        expected_prev = row.row_hash
        previous_id = row.pk
    if head is None and report.rows:
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
