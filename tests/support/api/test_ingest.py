"""POST /v1/support/ingest/<entity>: upsert by natural key, all or nothing per batch."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEvent
from apps.support.models import Customer, Transaction, Wallet
from tests.support.factories import ago, customer, evm_address, evm_hash, hex_hash, tron_address

URL = "/v1/support/ingest/{}"


def _post(api, entity, records, **headers):
    return api.post(URL.format(entity), {"records": records}, format="json", **headers)


def _customers(n, prefix="c"):
    return [
        {
            "external_id": f"{prefix}-{i}",
            "email": f"Person.{i}@Mail.Example",
            "handle": f"@person_{i}",
            "display_name": f"Person  {i}",
            "language": "id",
            "kyc_status": "approved",
        }
        for i in range(n)
    ]


def test_ingest__new_customers__created_with_normalised_columns(ingest_api):
    response = _post(ingest_api, "customers", _customers(3))

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "entity": "customers",
        "received": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    row = Customer.objects.get(external_id="c-1")
    assert (row.email_norm, row.handle, row.handle_norm, row.name_norm) == (
        "person.1@mail.example",
        "person_1",
        "person_1",
        "person 1",
    )
    event = AuditEvent.objects.get(name="support.ingested")
    assert event.data["created"] == 3


def test_ingest__replayed_batch__changes_nothing(ingest_api):
    records = _customers(5)
    _post(ingest_api, "customers", records)
    stamps = dict(Customer.objects.values_list("external_id", "ingested_at"))
    events = AuditEvent.objects.filter(name="support.ingested").count()

    response = _post(ingest_api, "customers", records)

    assert response.json()["unchanged"] == 5
    assert response.json()["created"] == response.json()["updated"] == 0
    assert dict(Customer.objects.values_list("external_id", "ingested_at")) == stamps
    assert AuditEvent.objects.filter(name="support.ingested").count() == events


def test_ingest__changed_record__updated_once(ingest_api):
    records = _customers(2)
    _post(ingest_api, "customers", records)
    records[1]["kyc_status"] = "rejected"
    records[1]["kyc_rejection_reason"] = "Blurry document"

    response = _post(ingest_api, "customers", records)

    assert (response.json()["updated"], response.json()["unchanged"]) == (1, 1)
    assert Customer.objects.get(external_id="c-1").kyc_rejection_reason == "Blurry document"


def test_ingest__bad_records__each_named_and_nothing_written(ingest_api):
    owner = customer("owner-1")
    good = {"customer": owner.external_id, "network": "ethereum", "address": evm_address()}
    records = [
        good,
        {"customer": owner.external_id, "network": "ethereum", "address": "0x1234"},
        {"customer": owner.external_id, "network": "dogechain", "address": evm_address()},
        {"customer": "nobody", "network": "tron", "address": tron_address()},
    ]

    response = _post(ingest_api, "wallets", records)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_records"
    assert {(r["index"], r["field"]) for r in error["records"]} == {
        (1, "address"),
        (2, "network"),
        (3, "customer"),
    }
    assert "unknown network 'dogechain'" in error["fields"]["records[2].network"][0]
    assert Wallet.objects.count() == 0


def test_ingest__negative_amount_and_bad_status__refused(ingest_api):
    base = {
        "network": "ethereum",
        "kind": "contribute",
        "asset": "USDT",
        "submitted_at": ago(minutes=5),
    }
    records = [
        {**base, "hash": evm_hash(), "status": "pending", "amount": "-5"},
        {**base, "hash": evm_hash(), "status": "lost", "amount": 10},
        {**base, "hash": evm_hash(), "status": "pending", "amount": 1.5},
        {**base, "hash": evm_hash(), "status": "pending", "amount": "10"},
    ]

    response = _post(ingest_api, "transactions", records)

    assert response.status_code == 400
    reasons = {(r["index"], r["field"]): r["reason"] for r in response.json()["error"]["records"]}
    assert set(reasons) == {(0, "amount"), (1, "status"), (2, "amount")}
    assert "negative" in reasons[(0, "amount")]
    assert "lost" in reasons[(1, "status")]
    assert Transaction.objects.count() == 0


def test_ingest__duplicate_key_in_batch__refused(ingest_api):
    records = _customers(2)
    records.append(dict(records[0]))

    response = _post(ingest_api, "customers", records)

    assert response.status_code == 400
    assert response.json()["error"]["records"][0]["index"] == 2
    assert Customer.objects.count() == 0


def test_ingest__transaction_hashes__canonical_per_network(ingest_api):
    owner = customer("hash-owner")
    evm = evm_hash()
    tron = hex_hash()
    records = [
        {
            "network": "ethereum",
            "hash": evm.upper().replace("0X", "0x"),
            "kind": "refund",
            "status": "confirmed",
            "amount": 1,
            "customer": owner.external_id,
            "submitted_at": ago(hours=1),
            "confirmed_at": ago(minutes=50),
        },
        {
            "network": "tron",
            "hash": tron.upper(),
            "kind": "payout",
            "status": "pending",
            "amount": "700",
            "submitted_at": ago(minutes=1),
        },
    ]

    response = _post(ingest_api, "transactions", records)

    assert response.status_code == 200, response.json()
    assert set(Transaction.objects.values_list("network", "tx_hash")) == {
        ("ethereum", evm),
        ("tron", tron),
    }


def test_ingest__new_primary_wallet__previous_primary_demoted(ingest_api):
    owner = customer("moves-wallet")
    first, second = evm_address(), evm_address()
    _post(
        ingest_api,
        "wallets",
        [{"customer": "moves-wallet", "network": "ethereum", "address": first, "primary": True}],
    )

    response = _post(
        ingest_api,
        "wallets",
        [{"customer": "moves-wallet", "network": "ethereum", "address": second, "primary": True}],
    )

    assert response.status_code == 200, response.json()
    assert list(owner.wallets.filter(is_primary=True).values_list("address", flat=True)) == [second]


def test_ingest__too_many_records__refused(ingest_api):
    response = _post(ingest_api, "customers", _customers(1001))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "batch_too_large"


def test_ingest__unknown_entity__404(ingest_api):
    response = _post(ingest_api, "planets", _customers(1))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_entity"


def test_ingest__unknown_field__named(ingest_api):
    response = _post(ingest_api, "customers", [{"external_id": "x-1", "nickname": "x"}])

    assert response.json()["error"]["records"] == [
        {
            "index": 0,
            "field": "nickname",
            "reason": pytest.approx(response.json()["error"]["records"][0]["reason"]),
        }
    ]
    assert "unknown field" in response.json()["error"]["records"][0]["reason"]


@pytest.mark.parametrize(
    "body", [{"records": "nope"}, {"records": []}, {"rows": []}, [1, 2], {"records": [1]}]
)
def test_ingest__malformed_body__400_json_error(ingest_api, body):
    response = ingest_api.post(URL.format("customers"), body, format="json")

    assert response.status_code == 400
    assert set(response.json()["error"]) >= {"code", "message", "fields", "request_id"}


def test_ingest__person__refused(agent_api):
    response = _post(agent_api, "customers", _customers(1))

    assert response.status_code == 403
    assert Customer.objects.count() == 0
