"""The support API for people: search, customer, diagnostics, reveal, actions, replies."""

from __future__ import annotations

import pytest

from apps.audit.models import AccessLogEntry
from apps.flags.models import FlagState
from tests.support.factories import customer, evm_address, refund, round_, transaction, wallet


def test_search_api__evm_address__hit_with_why_and_masked_customer(agent_api):
    who = customer("api-1", email="ana@mail.example", display_name="Ana Lima")
    address = evm_address("api-1")
    wallet(who, address=address)

    response = agent_api.get("/v1/support/search", {"q": address.lower(), "ticket": "ZD-3"})

    body = response.json()
    assert response.status_code == 200
    assert body["recognised"][0]["kind"] == "evm_address"
    hit = body["results"][0]
    assert hit["why"] == "EVM address, primary wallet of api-1 on ethereum"
    assert hit["customer"]["email"] == "a•••@m•••.example"
    assert hit["customer"]["masked"] is True
    assert AccessLogEntry.objects.get(what="support.search").ticket == "ZD-3"


def test_search_api__wrong_checksum__problem_no_results(agent_api):
    address = evm_address("api-2")
    position = next(i for i, c in enumerate(address) if i > 1 and c.isalpha())
    wrong = address[:position] + address[position].swapcase() + address[position + 1 :]

    body = agent_api.get("/v1/support/search", {"q": wrong}).json()

    assert body["results"] == []
    assert "not a valid checksum" in body["problems"][0]


def test_search_api__nothing_typed__empty_answer_and_nothing_logged(agent_api):
    from apps.audit.models import AccessLogEntry

    before = AccessLogEntry.objects.count()

    response = agent_api.get("/v1/support/search", {"q": " "})

    assert response.status_code == 200
    assert response.json()["results"] == []
    assert AccessLogEntry.objects.count() == before


def test_search_api__bad_ticket__400(agent_api):
    bad = agent_api.get("/v1/support/search", {"q": "x", "ticket": "has spaces"})
    assert bad.status_code == 400
    assert "ticket" in bad.json()["error"]["fields"]


def test_customer_api__amounts_hidden_for_support_shown_for_finance(
    agent_api, verified_api_client, make_user
):
    who = customer("api-3")
    transaction(who, amount="1500000")
    finance = verified_api_client(make_user("finance"))

    support_view = agent_api.get(f"/v1/support/customers/{who.pk}").json()
    finance_view = finance.get(f"/v1/support/customers/{who.pk}").json()

    assert support_view["transactions"][0]["amount"] is None
    assert finance_view["transactions"][0]["amount"] == "1500000"


def test_diagnostic_api__refund_failed__checks_verdict_reply(agent_api):
    who = customer("api-4", language="ru")
    wallet(who)
    round_(31, result="failed", status="cancelled")
    tx = transaction(who, kind="refund", round=31)
    refund(who, 31, status="completed", hash=tx["hash"])

    body = agent_api.get(f"/v1/support/customers/{who.pk}/diagnostics/refund_failed").json()

    assert body["verdict"] == "completed"
    assert body["reply"]["language"] == "ru"
    assert tx["hash"] in body["reply"]["text"]
    assert body["reply"]["missing"] == []


def test_reveal_api__support_refused_super_admin_needs_reason(
    agent_api, verified_api_client, make_user
):
    who = customer("api-5", email="x@y.example")
    admin = verified_api_client(make_user("super_admin"))

    assert agent_api.post(f"/v1/support/customers/{who.pk}/reveal", {}).status_code == 403
    refused = admin.post(
        f"/v1/support/customers/{who.pk}/reveal", {"ticket": "ZD-1"}, format="json"
    )
    shown = admin.post(
        f"/v1/support/customers/{who.pk}/reveal",
        {"reason_code": "fraud_review", "ticket": "ZD-1"},
        format="json",
    )

    assert refused.status_code == 400 and "reason_code" in refused.json()["error"]["fields"]
    assert shown.json()["email"] == "x@y.example"
    assert AccessLogEntry.objects.filter(what="support.reveal_pii").count() == 1


def test_action_api__freeze_claims__201_user_state(agent_api):
    who = customer("api-6")

    response = agent_api.post(
        f"/v1/support/customers/{who.pk}/actions/freeze_claims",
        {"reason": "farming", "ticket": "ZD-8"},
        format="json",
    )

    assert response.status_code == 201
    assert FlagState.objects.get(scope_kind="user").scope_value == "api-6"


def test_action_api__unfreeze_nothing_frozen__400(agent_api):
    who = customer("api-7")

    response = agent_api.post(
        f"/v1/support/customers/{who.pk}/actions/unfreeze_claims",
        {"reason": "x", "ticket": "ZD-8"},
        format="json",
    )

    assert response.status_code == 400
    assert "already allowed" in str(response.json()["error"]["fields"])


def test_unknown_customer__404_json(agent_api):
    response = agent_api.get("/v1/support/customers/999999")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("reason_code", [{}, [], 7, None])
def test_reveal_api__reason_code_not_a_string__400_naming_it_nothing_logged(
    verified_api_client, make_user, reason_code
):
    who = customer("api-6", email="x@y.example")
    admin = verified_api_client(make_user("super_admin"))

    refused = admin.post(
        f"/v1/support/customers/{who.pk}/reveal",
        {"reason_code": reason_code, "ticket": "ZD-1"},
        format="json",
    )

    assert refused.status_code == 400
    assert "reason_code" in refused.json()["error"]["fields"]
    assert not AccessLogEntry.objects.filter(what="support.reveal_pii").exists()
