"""Approve what was shown: the payload applied is the payload hashed at filing.

A payload altered in the database after filing ends the request as ``tampered``: nothing
applied, an audit event, the super admins told. A hash echoed by the approver that is not
the request's is refused before any code is spent.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.urls import reverse

from apps.approvals.models import ChangeRequest
from apps.notify.models import ContactMethod, OutboxMessage
from apps.seedconfig import services as config_services
from apps.seedconfig.models import ConfigVersion, FeeRule, TreasuryWallet
from tests.approvals.conftest import events, fresh_code, rename_request
from tests.conftest import reset_replay
from tests.seedconfig.conftest import load_seed

USDC_TREASURY = ("ethereum", "USDC", "treasury")
ATTACKER_WALLET = "0x4F032F07F6F7580E455637BC802541Fc0D0aaCe6"


def _write_raw(change_request, *, payload=None, sha256=None) -> None:
    """Change the stored row with raw SQL, as someone with database access could."""
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        if payload is not None:
            cursor.execute(
                f"UPDATE approvals_changerequest SET payload = %s{cast} WHERE id = %s",  # noqa: S608
                [json.dumps(payload), change_request.pk],
            )
        if sha256 is not None:
            cursor.execute(
                "UPDATE approvals_changerequest SET payload_sha256 = %s WHERE id = %s",
                [sha256, change_request.pk],
            )


@pytest.fixture
def people(make_user):
    people = {
        "admin": make_user("super_admin", username="tp-admin"),
        "admin2": make_user("super_admin", username="tp-admin2"),
        "finance": make_user("finance", username="tp-finance"),
        "support": make_user("support", username="tp-support"),
    }
    for person in people.values():
        ContactMethod.objects.create(user=person, kind="email", target=person.email)
    return people


@pytest.fixture
def fee_request(people):
    """v1 of the seed applied; finance then asks for the bonding swap fee at 151 bps."""
    from apps.approvals.services import change_request_approve

    first = config_services.config_change_request(
        actor=people["finance"], document=load_seed(), reason="v1"
    )
    reset_replay(people["admin2"])
    first = change_request_approve(
        actor=people["admin2"], change_request_id=first.pk, otp_code=fresh_code(people["admin2"])
    )
    assert first.status == "applied", first.apply_result
    rule = next(
        r for r in config_services.current_document()["fee_rules"] if r["key"] == "bonding_swap_fee"
    )
    rule["bps"] = 151
    return config_services.config_fee_rule_request(
        actor=people["finance"], rule=rule, reason="a point more for the launch week"
    )


def _tamper_fee_and_wallet(change_request) -> dict:
    payload = json.loads(json.dumps(change_request.payload))
    for rule in payload["fee_rules"]:
        if rule["key"] == "bonding_swap_fee":
            rule["bps"] = 9900
    for wallet in payload["treasury_wallets"]:
        if (wallet["network"], wallet["asset"], wallet["purpose"]) == USDC_TREASURY:
            wallet["address"] = ATTACKER_WALLET
    return payload


def _usdc_treasury_address() -> str:
    return TreasuryWallet.objects.get(
        network__key=USDC_TREASURY[0], asset__symbol=USDC_TREASURY[1], purpose=USDC_TREASURY[2]
    ).address


def _approve_tampered__ends_tampered_nothing_applied(
    people, fee_request, verified_api_client, django_capture_on_commit_callbacks, **raw
):
    shown_sha = fee_request.payload_sha256
    wallet_before = _usdc_treasury_address()
    versions_before = ConfigVersion.objects.count()
    _write_raw(fee_request, payload=_tamper_fee_and_wallet(fee_request), **raw)
    approver = people["admin"]

    with django_capture_on_commit_callbacks(execute=True):
        response = verified_api_client(approver).post(
            f"/v1/approvals/{fee_request.pk}/approve",
            {"otp_code": fresh_code(approver), "payload_sha256": shown_sha},
            format="json",
        )

    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "tampered"
    assert error["change_request"]["status"] == "tampered"
    fee_request.refresh_from_db()
    assert fee_request.status == ChangeRequest.Status.TAMPERED
    assert fee_request.decided_by is None
    assert fee_request.apply_result["filed_sha256"] == shown_sha
    assert FeeRule.objects.get(key="bonding_swap_fee").bps == 150
    assert _usdc_treasury_address() == wallet_before != ATTACKER_WALLET
    assert ConfigVersion.objects.count() == versions_before
    event = events("approval.tampered", target_id=str(fee_request.pk)).get()
    assert event.actor == approver
    assert event.data["filed_sha256"] == shown_sha
    assert not events("approval.applied", target_id=str(fee_request.pk)).exists()
    told = OutboxMessage.objects.filter(event="approval.tampered")
    assert sorted(m.contact_method.user.username for m in told) == ["tp-admin", "tp-admin2"]
    assert all("tampered" in message.subject for message in told)


def test_approve__payload_altered_with_raw_sql__tampered_nothing_applied_admins_told(
    people, fee_request, verified_api_client, django_capture_on_commit_callbacks
):
    _approve_tampered__ends_tampered_nothing_applied(
        people, fee_request, verified_api_client, django_capture_on_commit_callbacks
    )


def test_approve__payload_and_its_hash_altered_together__tampered_by_the_filing_record(
    people, fee_request, verified_api_client, django_capture_on_commit_callbacks
):
    from apps.approvals.canonical import payload_digest

    forged = payload_digest(_tamper_fee_and_wallet(fee_request))
    _approve_tampered__ends_tampered_nothing_applied(
        people,
        fee_request,
        verified_api_client,
        django_capture_on_commit_callbacks,
        sha256=forged,
    )


@pytest.mark.postgres
def test_approve__on_postgresql_payload_altered_with_raw_sql__tampered_nothing_applied(
    people, fee_request, verified_api_client, django_capture_on_commit_callbacks
):
    _approve_tampered__ends_tampered_nothing_applied(
        people, fee_request, verified_api_client, django_capture_on_commit_callbacks
    )


def test_approve_page__tampered__message_and_result_shown_readably(
    make_user, rename_handler, launch_group, verified_client
):
    make_user("super_admin")
    approver = make_user("super_admin")
    change_request = rename_request(make_user("finance"), launch_group)
    _write_raw(change_request, payload={**change_request.payload, "new_name": "owned"})
    client = verified_client(approver)

    response = client.post(
        reverse("approvals:approve", args=[change_request.pk]),
        {"otp_code": fresh_code(approver), "payload_sha256": change_request.payload_sha256},
        follow=True,
    )

    html = response.content.decode()
    assert "ended as tampered" in html
    assert "payload SHA-256 when it was filed" in html
    assert "{&#x27;" not in html and "{'" not in html  # no raw Python dict
    launch_group.refresh_from_db()
    assert launch_group.name == "launch-team"
    assert rename_handler.applied == []


# --- the hash the approver was shown --------------------------------------------------------


def test_approve_api__echoed_hash_not_the_requests__409_nothing_applied_code_not_spent(
    make_user, rename_handler, launch_group, verified_api_client
):
    make_user("super_admin")
    approver = make_user("super_admin")
    change_request = rename_request(make_user("finance"), launch_group)
    api = verified_api_client(approver)
    code = fresh_code(approver)

    refused = api.post(
        f"/v1/approvals/{change_request.pk}/approve",
        {"otp_code": code, "payload_sha256": "0" * 64},
        format="json",
    )
    approved = api.post(
        f"/v1/approvals/{change_request.pk}/approve",
        {"otp_code": code, "payload_sha256": change_request.payload_sha256},
        format="json",
    )

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "payload_changed"
    assert "payload_sha256" in refused.json()["error"]["fields"]
    assert approved.status_code == 200, approved.content  # the same code still worked
    assert rename_handler.applied == [change_request.pk]


def test_approve_api__malformed_echoed_hash__400_field_error(
    make_user, rename_handler, launch_group, verified_api_client
):
    make_user("super_admin")
    approver = make_user("super_admin")
    change_request = rename_request(make_user("finance"), launch_group)

    response = verified_api_client(approver).post(
        f"/v1/approvals/{change_request.pk}/approve",
        {"otp_code": fresh_code(approver), "payload_sha256": "not-a-hash"},
        format="json",
    )

    assert response.status_code == 400
    assert "payload_sha256" in response.json()["error"]["fields"]
    change_request.refresh_from_db()
    assert change_request.status == "pending"


def test_approve_api__hash_required_by_setting_and_missing__400_nothing_applied(
    settings, make_user, rename_handler, launch_group, verified_api_client
):
    settings.APPROVAL_REQUIRE_PAYLOAD_SHA256 = True
    make_user("super_admin")
    approver = make_user("super_admin")
    change_request = rename_request(make_user("finance"), launch_group)

    response = verified_api_client(approver).post(
        f"/v1/approvals/{change_request.pk}/approve",
        {"otp_code": fresh_code(approver)},
        format="json",
    )

    assert response.status_code == 400
    assert "payload_sha256" in response.json()["error"]["fields"]
    assert rename_handler.applied == []


def test_approve_page__form_without_the_hash__400_nothing_applied(
    make_user, rename_handler, launch_group, verified_client
):
    make_user("super_admin")
    approver = make_user("super_admin")
    change_request = rename_request(make_user("finance"), launch_group)

    response = verified_client(approver).post(
        reverse("approvals:approve", args=[change_request.pk]),
        {"otp_code": fresh_code(approver)},
    )

    assert response.status_code == 400
    assert "Reload the request" in response.content.decode()
    assert rename_handler.applied == []


def test_approve_page__stale_hash__refused_and_form_shows_the_current_one(
    make_user, rename_handler, launch_group, verified_client
):
    make_user("super_admin")
    approver = make_user("super_admin")
    change_request = rename_request(make_user("finance"), launch_group)

    response = verified_client(approver).post(
        reverse("approvals:approve", args=[change_request.pk]),
        {"otp_code": fresh_code(approver), "payload_sha256": "a" * 64},
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "is not the one you were shown" in html
    assert f'value="{change_request.payload_sha256}"' in html
    assert rename_handler.applied == []
