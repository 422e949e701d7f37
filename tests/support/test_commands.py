"""support_fake, support_import and the demo step."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from apps.audit.models import AuditEvent
from apps.support import diagnostics
from apps.support.fake import SHOWCASE, FakePlatform
from apps.support.models import Customer, Transaction, Wallet
from apps.support.records import ENTITIES, Context, clean_record
from apps.support.selectors.customers import customer_overview
from apps.support.services.ingestion import network_kinds
from tests.support.factories import customer, evm_address


def _write_jsonl(path, records):
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")


def test_fake__every_record_passes_ingestion_checks():
    platform = FakePlatform(customers=40, transactions_per_customer=4, networks=network_kinds())
    ctx = Context(networks=network_kinds())
    from apps.support.management.commands.support_fake import generated

    for entity, records in generated(platform):
        for record in records:
            clean_record(ENTITIES[entity], record, ctx)


def test_support_fake__loads_and_replay_changes_nothing():
    out = io.StringIO()
    call_command(
        "support_fake",
        "--customers",
        "30",
        "--transactions-per-customer",
        "3",
        "--now",
        "2026-12-01T09:30:00Z",
        stdout=out,
    )
    customers, txs = Customer.objects.count(), Transaction.objects.count()
    events = AuditEvent.objects.filter(name="support.ingested").count()

    call_command(
        "support_fake",
        "--customers",
        "30",
        "--transactions-per-customer",
        "3",
        "--now",
        "2026-12-01T09:30:00Z",
        stdout=out,
    )

    assert customers == 30 + len(SHOWCASE)
    assert txs > 30
    assert (Customer.objects.count(), Transaction.objects.count()) == (customers, txs)
    assert AuditEvent.objects.filter(name="support.ingested").count() == events


def test_support_fake__now_without_a_zone__refused_with_the_format():
    with pytest.raises(CommandError, match="with a zone"):
        call_command("support_fake", "--customers", "1", "--now", "2026-12-01T09:30:00")

    assert not Customer.objects.exists()


def test_support_fake__shares_of_pending_failed_and_dropped():
    call_command(
        "support_fake",
        "--customers",
        "150",
        "--transactions-per-customer",
        "8",
        stdout=io.StringIO(),
    )

    statuses = set(Transaction.objects.values_list("status", flat=True))
    assert statuses == {"confirmed", "pending", "failed", "dropped"}


@pytest.mark.parametrize(
    "external_id, case, verdict",
    [
        ("case-refund-failed", "refund_failed", "failed"),
        ("case-refund-no-wallet", "refund_failed", "no_primary_wallet"),
        ("case-vesting-pending", "vesting_claim_failed", "pending_tx"),
        ("case-cannot-post", "cannot_post", "no_bluecheck"),
        ("case-referral-no-active", "cannot_claim_referral", "no_active_referrals"),
        ("case-kyc-rejected", "kyc_rejected", "rejected"),
        ("case-wrong-wallet", "wrong_wallet", "wait_pending"),
    ],
)
def test_support_fake__showcase_customers__each_case_live(external_id, case, verdict):
    call_command("support_fake", "--customers", "5", stdout=io.StringIO())

    who = Customer.objects.get(external_id=external_id)

    assert diagnostics.run(case, customer_overview(customer=who)).verdict == verdict


def test_support_import__valid_file__loaded_then_replay_unchanged(tmp_path):
    path = tmp_path / "load.jsonl"
    address = evm_address()
    _write_jsonl(
        path,
        [
            {"entity": "customers", "external_id": "imp-1", "email": "a@b.example"},
            {
                "entity": "wallets",
                "customer": "imp-1",
                "network": "ethereum",
                "address": address,
                "primary": True,
            },
        ],
    )
    out = io.StringIO()

    call_command("support_import", str(path), stdout=out)
    call_command("support_import", str(path), stdout=out)

    assert Wallet.objects.get().customer.external_id == "imp-1"
    assert "1 unchanged" in out.getvalue().splitlines()[-2] or "unchanged" in out.getvalue()


def test_support_import__bad_lines__listed_and_nothing_written(tmp_path):
    path = tmp_path / "bad.jsonl"
    _write_jsonl(
        path,
        [
            {"entity": "customers", "external_id": "imp-2"},
            {"entity": "wallets", "customer": "imp-2", "network": "ethereum", "address": "0x12"},
            {
                "entity": "wallets",
                "customer": "ghost",
                "network": "ethereum",
                "address": evm_address(),
            },
            {"entity": "planets", "name": "x"},
        ],
    )
    err = io.StringIO()

    with pytest.raises(CommandError, match="3 of 4 lines are invalid"):
        call_command("support_import", str(path), stderr=err)

    assert "line 2: address" in err.getvalue()
    assert "line 3: customer" in err.getvalue()
    assert "line 4: entity" in err.getvalue()
    assert not Customer.objects.exists()


@pytest.mark.postgres
def test_support_import__postgres_copy__upsert_counts(tmp_path):
    customer("imp-pg-0")
    path = tmp_path / "pg.jsonl"
    records = [{"external_id": f"imp-pg-{n}", "kyc_status": "approved"} for n in range(5)]
    _write_jsonl(path, records)
    out = io.StringIO()

    call_command("support_import", str(path), "--entity", "customers", stdout=out)
    records[1]["kyc_status"] = "pending"
    _write_jsonl(path, records)
    call_command("support_import", str(path), "--entity", "customers", stdout=out)

    lines = [line for line in out.getvalue().splitlines() if line.startswith("customers:")]
    assert lines == [
        "customers: 4 created, 1 updated, 0 unchanged",
        "customers: 0 created, 1 updated, 4 unchanged",
    ]
    assert Customer.objects.get(external_id="imp-pg-1").kyc_status == "pending"


@pytest.mark.postgres
def test_support_fake__copy__loads_fresh_tables():
    call_command(
        "support_fake",
        "--customers",
        "50",
        "--copy",
        "--transactions-per-customer",
        "3",
        stdout=io.StringIO(),
    )

    who = Customer.objects.get(external_id="cust-1010")
    assert who.wallets.exists()
    assert Customer.objects.count() == 50 + len(SHOWCASE)
    assert Customer.objects.filter(email_norm=who.email.lower()).exists()


def test_demo_step__each_case_represented__second_run_adds_nothing(make_user, settings):
    from apps.core.demo import DemoContext
    from apps.support.demo import support_demo

    said = []
    ctx = DemoContext(say=said.append, users={"support": make_user("support")})

    support_demo(ctx)

    assert Customer.objects.filter(external_id__in=SHOWCASE).count() == len(SHOWCASE)
    frozen = Customer.objects.get(external_id="case-referral-frozen")
    assert diagnostics.run("cannot_claim_referral", customer_overview(customer=frozen)).verdict == (
        "frozen"
    )
    support_demo(ctx)
    assert "already present" in said[-1]
