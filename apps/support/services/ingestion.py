"""Writing the platform's data into the read models: all or nothing per batch.

The rule (the API and ``manage.py support_import`` hold it alike): a batch is checked
record by record first; if any record is bad, the answer lists every bad record (its index,
field and reason) and **nothing** of the batch is written. Otherwise each record is
upserted by its natural key: a new key is created, a known key whose values differ is
updated, and a record equal to what is stored is left alone (no write, no new
``ingested_at``). A replayed batch therefore changes nothing, and writes no audit event.

Read models are data, not configuration: they are not registered with django-auditlog
(one row per record would serialise ingestion on the audit chain's lock). Each batch that
changed something writes one domain event, ``support.ingested``, with its counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.events import record_event
from apps.core.logging import get_logger
from apps.seedconfig.models import Network
from apps.support.models import Customer, Wallet
from apps.support.records import (
    ENTITIES,
    MAX_BATCH,
    WALLET,
    Context,
    Entity,
    RecordInvalid,
    clean_record,
    compared_attrs,
    links_customer,
    natural_key,
)

log = get_logger(__name__)


@dataclass(frozen=True)
class RecordError:
    index: int
    field: str
    reason: str

    def as_dict(self) -> dict:
        return {"index": self.index, "field": self.field, "reason": self.reason}


class IngestRefused(Exception):
    """The batch was refused and nothing was written. ``code``: ``invalid_records``,
    ``batch_too_large``, ``empty_batch``, ``unknown_entity`` or ``conflict``."""

    def __init__(self, message: str, *, code: str, errors: list[RecordError] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.errors = errors or []


@dataclass
class IngestResult:
    entity: str
    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    demoted_primaries: int = 0
    errors: list[RecordError] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.created + self.updated

    def as_dict(self) -> dict:
        return {
            "entity": self.entity,
            "received": self.received,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def network_kinds() -> dict[str, str]:
    """Configured networks (seed configuration): key -> kind (evm, solana, tron)."""
    return dict(Network.objects.values_list("key", "kind"))


def resolve_entity(name: str) -> Entity:
    entity = ENTITIES.get(name)
    if entity is None:
        raise IngestRefused(
            _("Unknown entity '%(name)s'; use one of %(names)s.")
            % {"name": name, "names": ", ".join(ENTITIES)},
            code="unknown_entity",
        )
    return entity


def _customer_ids(external_ids: set[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    wanted = sorted(external_ids)
    for start in range(0, len(wanted), 1000):
        ids.update(
            Customer.objects.filter(external_id__in=wanted[start : start + 1000]).values_list(
                "external_id", "id"
            )
        )
    return ids


def _referenced_customers(records) -> set[str]:
    refs = set()
    for record in records:
        if isinstance(record, dict):
            value = record.get("customer")
            if isinstance(value, str) and value.strip():
                refs.add(value.strip())
    return refs


def validate_batch(
    entity: Entity, records: list, *, networks: dict[str, str], known_customers: set[str]
) -> tuple[list[dict], list[RecordError]]:
    """Clean every record; the cleaned ones (in order) and the errors of the bad ones."""
    ctx = Context(networks=networks, customer_exists=known_customers.__contains__)
    cleaned_rows: list[dict] = []
    errors: list[RecordError] = []
    seen: dict[tuple, int] = {}
    primaries: dict[tuple, int] = {}
    for index, record in enumerate(records):
        try:
            cleaned = clean_record(entity, record, ctx)
        except RecordInvalid as error:
            errors.extend(RecordError(index, name, reason) for name, reason in error.errors.items())
            continue
        key = natural_key(entity, cleaned)
        if key in seen:
            errors.append(
                RecordError(
                    index,
                    entity.fields[0].name,
                    _("the same object as record %(other)d of this batch") % {"other": seen[key]},
                )
            )
            continue
        seen[key] = index
        if entity is WALLET and cleaned["is_primary"]:
            owner = (cleaned["customer_external_id"], cleaned["network"])
            if owner in primaries:
                errors.append(
                    RecordError(
                        index,
                        "primary",
                        _("record %(other)d already makes another wallet primary on this network")
                        % {"other": primaries[owner]},
                    )
                )
                continue
            primaries[owner] = index
        cleaned_rows.append(cleaned)
    return cleaned_rows, errors


def _existing(entity: Entity, keys: list[tuple]) -> dict[tuple, object]:
    model = entity.model
    if not keys:
        return {}
    if len(entity.key) == 1:
        attr = entity.key[0]
        rows = model.objects.filter(**{f"{attr}__in": [k[0] for k in keys]})
    else:
        first, second = entity.key
        rows = model.objects.filter(**{f"{second}__in": sorted({k[1] for k in keys})}).filter(
            **{f"{first}__in": sorted({k[0] for k in keys})}
        )
    return {tuple(getattr(row, attr) for attr in entity.key): row for row in rows}


def _write(entity: Entity, cleaned_rows: list[dict], result: IngestResult) -> None:
    now = timezone.now()
    linked = links_customer(entity)
    customer_ids = _customer_ids(
        {row["customer_external_id"] for row in cleaned_rows if row.get("customer_external_id")}
        if linked
        else set()
    )
    compared = compared_attrs(entity)
    existing = _existing(entity, [natural_key(entity, row) for row in cleaned_rows])
    to_create, to_update = [], []
    for row in cleaned_rows:
        values = dict(row)
        if linked and "customer_external_id" in values:
            ref = values.pop("customer_external_id")
            values["customer_id"] = customer_ids.get(ref) if ref else None
        current = existing.get(natural_key(entity, row))
        if current is None:
            to_create.append(entity.model(**values, ingested_at=now))
            continue
        if all(getattr(current, attr) == values[attr] for attr in compared if attr in values):
            result.unchanged += 1
            continue
        for attr, value in values.items():
            setattr(current, attr, value)
        current.ingested_at = now
        to_update.append(current)
    if entity is WALLET:
        result.demoted_primaries = _demote_primaries(to_create + to_update, now)
    if to_update:
        entity.model.objects.bulk_update(to_update, [*compared, "ingested_at"], batch_size=500)
    if to_create:
        entity.model.objects.bulk_create(to_create, batch_size=500)
    result.created += len(to_create)
    result.updated += len(to_update)


def _demote_primaries(wallets: list[Wallet], now) -> int:
    """A wallet made primary takes the mark from the customer's other wallet there."""
    owners = Q(pk__in=[])
    keep = []
    for wallet in wallets:
        if wallet.is_primary:
            owners |= Q(customer_id=wallet.customer_id, network=wallet.network)
            keep.append((wallet.network, wallet.address_norm))
    if not keep:
        return 0
    demoted = 0
    for other in Wallet.objects.filter(owners, is_primary=True):
        if (other.network, other.address_norm) in keep:
            continue
        Wallet.objects.filter(pk=other.pk).update(is_primary=False, ingested_at=now)
        demoted += 1
    return demoted


def ingest_batch(*, actor, entity: str, records, source: str = "api") -> IngestResult:
    """Upsert one batch of ``entity`` records (at most ``MAX_BATCH``), all or nothing.

    Raises ``IngestRefused`` (nothing written) with every bad record's index, field and
    reason. Returns the counts; writes ``support.ingested`` when something changed.
    """
    spec = resolve_entity(entity)
    if not isinstance(records, list) or not records:
        raise IngestRefused(_("Send a non-empty list of records."), code="empty_batch")
    if len(records) > MAX_BATCH:
        raise IngestRefused(
            _("At most %(max)d records per batch; this one has %(n)d. Split it.")
            % {"max": MAX_BATCH, "n": len(records)},
            code="batch_too_large",
        )
    networks = network_kinds()
    known = set(_customer_ids(_referenced_customers(records))) if links_customer(spec) else set()
    cleaned_rows, errors = validate_batch(spec, records, networks=networks, known_customers=known)
    if errors:
        raise IngestRefused(
            _("%(bad)d of %(n)d records are invalid; nothing was written.")
            % {"bad": len({e.index for e in errors}), "n": len(records)},
            code="invalid_records",
            errors=errors,
        )
    result = IngestResult(entity=spec.name, received=len(records))
    try:
        with transaction.atomic():
            _write(spec, cleaned_rows, result)
            if result.changed or result.demoted_primaries:
                record_event(
                    "support.ingested",
                    actor=actor,
                    data={**result.as_dict(), "source": source},
                )
    except IntegrityError:
        # Another batch wrote one of these keys at the same moment: nothing of this one
        # was kept; sending it again upserts over the other's rows.
        raise IngestRefused(
            _(
                "Another batch wrote the same objects at the same time; nothing was written. "
                "Send the batch again."
            ),
            code="conflict",
        ) from None
    log.info(
        "support.ingested",
        entity=spec.name,
        received=result.received,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        source=source,
    )
    return result
