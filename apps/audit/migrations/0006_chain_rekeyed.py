"""Re-key the audit chains: from plain SHA-256 to HMAC-SHA256 with AUDIT_CHAIN_KEY.

For each chain, in id order, every row's old (unkeyed) hash and link are verified and
its new keyed ``prev_hash``/``row_hash``/``key_id`` computed; the head must name the last
row with its old hash. If anything does not verify, the migration stops with a message
naming the chain and row, and changes nothing (it runs in one transaction): a tampered
trail is investigated, not re-signed. Otherwise the heads move to the new hashes and one
``audit.chain_rekeyed`` event records, per chain, the rows re-keyed, the last id and the
old head hash: the checkpoint tying the keyed chain to the one it replaced. An empty
trail (a new installation) is left as it is, with no checkpoint.

The hash recipe is written out here as it was when this migration was made, so a later
change to ``apps.audit.chain`` cannot change what this migration computes. The key comes
from the settings (``AUDIT_CHAIN_KEY``; ``AUDIT_CHAIN_OLD_KEYS`` when reversing).

On PostgreSQL the append-only triggers (migration 0004) are switched off for the audit
tables inside this migration's transaction and switched on again before it commits;
the ALTER TABLE locks keep every other writer out meanwhile.

Reversing verifies the keyed chains and writes the unkeyed hashes back (the checkpoint
event stays, as an ordinary row).
"""

import hashlib
import hmac
import json
from datetime import UTC

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

GENESIS = "0" * 64
KEY_ID_MESSAGE = b"opsportal audit chain key id"
BATCH = 500

COMMON = ("request_id", "remote_addr", "timestamp")
CHAINS = {
    "access": (
        "AccessLogEntry",
        "audit_accesslogentry",
        ("actor_id", "actor_repr", "what", "subject_type", "subject_id", "subject_repr")
        + ("reason", "ticket", *COMMON),
    ),
    "changes": (
        "LogEntry",
        "audit_logentry",
        ("content_type_id", "object_pk", "object_id", "object_repr", "serialized_data")
        + ("action", "changes_text", "changes", "actor_id", "actor_email", "cid", "request_id")
        + ("remote_addr", "remote_port", "timestamp", "additional_data"),
    ),
    "events": (
        "AuditEvent",
        "audit_auditevent",
        ("name", "actor_id", "actor_repr", "target_type", "target_id", "target_repr", "data")
        + COMMON,
    ),
}


class AuditChainBroken(Exception):
    """The chain to convert does not verify; nothing was changed."""


def _normalise_json(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(key): _normalise_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise_json(item) for item in value]
    return value


def _canonical_value(field, value):
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


def _payload(row, chain, columns, fields, key_id):
    content = {"chain": chain}
    if key_id is not None:
        content["key_id"] = key_id
    for attname in columns:
        content[attname] = _canonical_value(fields[attname], getattr(row, attname))
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (row.prev_hash + text).encode("utf-8")


def _key_id(secret):
    return hmac.new(secret.encode("utf-8"), KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:16]


class _Unkeyed:
    """The recipe before keys: SHA-256, no key id."""

    def hash(self, row, chain, columns, fields):
        return hashlib.sha256(_payload(row, chain, columns, fields, None)).hexdigest()

    def problem(self, row, chain, columns, fields):
        if self.hash(row, chain, columns, fields) != row.row_hash:
            return "its stored hash does not match its content"
        return None


class _Keyed:
    """HMAC-SHA256 with the row's key (AUDIT_CHAIN_KEY, or an old key when verifying)."""

    def __init__(self):
        current = settings.AUDIT_CHAIN_KEY
        secrets = [*getattr(settings, "AUDIT_CHAIN_OLD_KEYS", ()), current]
        self.keys = {_key_id(secret): secret.encode("utf-8") for secret in secrets if secret}
        self.current_id = _key_id(current)

    def hash(self, row, chain, columns, fields, key_id=None):
        key_id = key_id or self.current_id
        payload = _payload(row, chain, columns, fields, key_id)
        return hmac.new(self.keys[key_id], payload, hashlib.sha256).hexdigest()

    def problem(self, row, chain, columns, fields):
        if row.key_id not in self.keys:
            return f"its key id '{row.key_id}' is not a configured chain key"
        if self.hash(row, chain, columns, fields, row.key_id) != row.row_hash:
            return "its stored hash does not match its content"
        return None


def _rows(model, db):
    last = 0
    while True:
        batch = list(model.objects.using(db).filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _convert_chain(apps, db, chain, source, target):
    """Verify ``chain`` with ``source``, rewrite its hashes with ``target``; a summary."""
    model_name, _table, columns = CHAINS[chain]
    model = apps.get_model("audit", model_name)
    head_model = apps.get_model("audit", "ChainHead")
    fields = {field.attname: field for field in model._meta.concrete_fields}
    head = head_model.objects.using(db).filter(chain=chain).first()
    old_prev = new_prev = GENESIS
    last_id, old_last, rows = 0, GENESIS, 0
    for batch in _rows(model, db):
        for row in batch:
            problem = source.problem(row, chain, columns, fields)
            if problem is None and row.prev_hash != old_prev:
                problem = "its prev_hash does not link to the row before it"
            if problem is not None:
                raise AuditChainBroken(
                    f"The audit chain '{chain}' is broken at row {row.pk}: {problem}. It was "
                    "not converted and nothing was changed: a tampered trail must be "
                    "investigated, not re-signed. Restore the audit tables from a backup "
                    "taken before the break, then run migrate again."
                )
            old_prev, old_last, last_id = row.row_hash, row.row_hash, row.pk
            row.key_id = getattr(target, "current_id", "")
            row.prev_hash = new_prev
            row.row_hash = target.hash(row, chain, columns, fields)
            new_prev = row.row_hash
            rows += 1
        model.objects.using(db).bulk_update(batch, ["key_id", "prev_hash", "row_hash"])
    head_last = (head.last_id, head.last_hash) if head is not None else (0, GENESIS)
    if head_last != (last_id, old_last):
        raise AuditChainBroken(
            f"The audit chain '{chain}' ends at row {last_id}, but its head records row "
            f"{head_last[0]} with another hash (rows were removed from its end, or the head "
            "was changed). It was not converted and nothing was changed."
        )
    if head is not None:
        head_model.objects.using(db).filter(pk=head.pk).update(last_hash=new_prev)
    return {"rows": rows, "last_id": last_id, "unkeyed_last_hash": old_last}


def _set_append_only_triggers(schema_editor, enabled):
    if schema_editor.connection.vendor != "postgresql":
        return
    # ALTER TABLE refuses while deferred foreign-key checks are pending: run them now.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    verb = "ENABLE" if enabled else "DISABLE"
    for _model, table, _columns in CHAINS.values():
        schema_editor.execute(f"ALTER TABLE {table} {verb} TRIGGER {table}_append_only")
    if enabled:
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def _checkpoint(apps, db, keyed, summary):
    event_model = apps.get_model("audit", "AuditEvent")
    head_model = apps.get_model("audit", "ChainHead")
    _model, _table, columns = CHAINS["events"]
    fields = {field.attname: field for field in event_model._meta.concrete_fields}
    head, _ = head_model.objects.using(db).get_or_create(
        chain="events", defaults={"last_hash": GENESIS, "last_id": 0}
    )
    event = event_model(
        name="audit.chain_rekeyed",
        actor_repr="",
        target_type="audit.chainhead",
        target_id="",
        target_repr="audit chains",
        data={"key_id": keyed.current_id, "chains": summary},
        request_id="",
        remote_addr=None,
        timestamp=timezone.now(),
        key_id=keyed.current_id,
        prev_hash=head.last_hash,
    )
    event.row_hash = keyed.hash(event, "events", columns, fields)
    event.save(using=db, force_insert=True)
    head_model.objects.using(db).filter(pk=head.pk).update(
        last_id=event.pk, last_hash=event.row_hash
    )


def rekey(apps, schema_editor):
    db = schema_editor.connection.alias
    keyed = _Keyed()
    _set_append_only_triggers(schema_editor, enabled=False)
    summary = {chain: _convert_chain(apps, db, chain, _Unkeyed(), keyed) for chain in CHAINS}
    _set_append_only_triggers(schema_editor, enabled=True)
    if any(part["rows"] for part in summary.values()):
        _checkpoint(apps, db, keyed, summary)


def unkey(apps, schema_editor):
    db = schema_editor.connection.alias
    _set_append_only_triggers(schema_editor, enabled=False)
    for chain in CHAINS:
        _convert_chain(apps, db, chain, _Keyed(), _Unkeyed())
    _set_append_only_triggers(schema_editor, enabled=True)


class Migration(migrations.Migration):
    atomic = True  # a broken chain stops the migration with nothing changed

    dependencies = [
        ("audit", "0005_chain_key_id"),
    ]

    operations = [
        migrations.RunPython(rekey, unkey),
    ]
