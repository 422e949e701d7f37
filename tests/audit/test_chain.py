"""Every audit row joins its chain: auditlog changes, domain events and access records."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from apps.audit.chain import GENESIS, canonical_json, key_id_for, row_content
from apps.audit.models import (
    CHAINED_MODELS,
    AccessLogEntry,
    AuditEvent,
    ChainHead,
    LogEntry,
)
from tests.audit.tampering import keyed_hash, tamper_allowed

pytestmark = pytest.mark.django_db


def _chain_is_linked(model) -> list:
    rows = list(model.objects.order_by("id"))
    previous = GENESIS
    for row in rows:
        assert row.prev_hash == previous
        assert row.key_id == key_id_for(settings.AUDIT_CHAIN_KEY)
        payload = row.prev_hash + canonical_json(row_content(row))
        assert row.row_hash == keyed_hash(payload)
        previous = row.row_hash
    head = ChainHead.objects.get(chain=model.CHAIN)
    assert head.last_hash == previous
    assert head.last_id == (rows[-1].pk if rows else 0)
    return rows


def test_auditlog_change__user_created_and_updated__rows_are_chained(make_user, audited):
    actor = make_user("super_admin")
    person = make_user(first_name="Ann")
    with audited(actor, request_id="req-change"):
        person.first_name = "Anna"
        person.save()

    rows = _chain_is_linked(LogEntry)
    update = rows[-1]
    assert update.action == LogEntry.Action.UPDATE
    assert update.object_pk == str(person.pk)
    assert update.changes["first_name"] == ["Ann", "Anna"]
    assert update.actor_id == actor.pk
    assert update.actor_email == actor.email
    assert update.request_id == "req-change"
    assert update.cid == "req-change"
    assert update.remote_addr == "127.0.0.1"


def test_auditlog_m2m_change__role_added__row_is_chained(make_user, audited):
    actor = make_user("super_admin")
    person = make_user()
    with audited(actor):
        person.groups.add(Group.objects.get(name="ops"))

    rows = _chain_is_linked(LogEntry)
    assert rows[-1].changes["groups"]["type"] == "m2m"
    assert rows[-1].actor_id == actor.pk


def test_record_event__with_target_and_data__row_is_chained(make_user, audited, write_event):
    actor = make_user("ops")
    with audited(actor, request_id="req-event"):
        write_event("test.first")
        event = write_event("test.second", target=actor, data={"amount": Decimal("1.50")})

    rows = _chain_is_linked(AuditEvent)
    assert [row.name for row in rows] == ["test.first", "test.second"]
    assert rows[1].prev_hash == rows[0].row_hash
    assert event.actor_id == actor.pk
    assert event.actor_repr == actor.username
    assert event.target_type == "accounts.user"
    assert event.target_id == str(actor.pk)
    assert event.request_id == "req-event"
    assert AuditEvent.objects.get(pk=event.pk).data == {"amount": "1.50"}


def test_record_access__subject_reason_ticket__row_is_chained(make_user, audited, write_access):
    actor = make_user("support")
    customer = make_user()
    with audited(actor, request_id="req-access"):
        entry = write_access(customer, reason="customer asked", ticket="SUP-1", what="reveal")

    rows = _chain_is_linked(AccessLogEntry)
    assert rows == [entry]
    assert (entry.actor_id, entry.what, entry.ticket) == (actor.pk, "reveal", "SUP-1")
    assert (entry.subject_type, entry.subject_id) == ("accounts.user", str(customer.pk))
    assert entry.request_id == "req-access"


def test_record_access__blank_reason__refused_and_nothing_written(make_user, write_access):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        write_access(make_user(), reason="   ")

    assert not AccessLogEntry.objects.exists()


def test_chain_head__missing_on_an_empty_trail__is_recreated_at_genesis(write_event):
    """What the test runner's flush leaves behind: empty tables and no heads."""
    with tamper_allowed():
        ChainHead.objects.all().delete()

    event = write_event("test.after_reset")

    assert event.prev_hash == GENESIS
    assert set(ChainHead.objects.values_list("chain", flat=True)) == set(CHAINED_MODELS)


@pytest.mark.parametrize("chain", sorted(CHAINED_MODELS))
def test_hashed_fields__model__cover_every_stored_column(chain):
    model = CHAINED_MODELS[chain]
    stored = {field.attname for field in model._meta.concrete_fields}

    # key_id is hashed too, beside the chain name (apps.audit.chain.row_content).
    assert stored - set(model.HASHED_FIELDS) == {"id", "prev_hash", "key_id", "row_hash"}


def test_row_hash__stored_values__match_the_documented_recipe(make_user, audited, write_event):
    actor = make_user()
    with audited(actor, request_id="req-doc", remote_addr="2001:0db8::0001"):
        event = write_event("test.doc", data={"n": 2.0, "b": {"z": 1, "a": [0.5]}})
    stored = AuditEvent.objects.get(pk=event.pk)

    documented_key_id = keyed_hash("opsportal audit chain key id")[:16]
    content = {
        "chain": "events",
        "key_id": documented_key_id,
        "name": "test.doc",
        "actor_id": actor.pk,
        "actor_repr": actor.username,
        "target_type": "",
        "target_id": "",
        "target_repr": "",
        "data": {"b": {"a": [0.5], "z": 1}, "n": 2},
        "request_id": "req-doc",
        "remote_addr": "2001:db8::1",
        "timestamp": stored.timestamp.isoformat(timespec="microseconds"),
    }
    payload = GENESIS + json.dumps(content, sort_keys=True, separators=(",", ":"))
    assert stored.key_id == content["key_id"]
    assert stored.row_hash == keyed_hash(payload)
