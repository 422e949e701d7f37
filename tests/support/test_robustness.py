"""Odd input answers with a clear error or nothing, never a 500."""

from __future__ import annotations

import pytest

from tests.support.factories import customer

HUGE = "9" * 30


@pytest.mark.parametrize(
    "q",
    [
        "bad\x00null",
        "x" * 500,
        "0x" + "g" * 40,
        "@",
        "   ",
        "%%%",
        "_",
        "\\",
        "'; drop table --",
        HUGE,
    ],
)
def test_search__odd_queries__no_500(agent_client, agent_api, q):
    assert agent_client.get("/support/", {"q": q}).status_code < 500
    assert agent_api.get("/v1/support/search", {"q": q}).status_code < 500


@pytest.mark.parametrize(
    "cursor", ["e30", "eyJ4IjoxfQ", "eyJlbWFpbCI6IDEwMDAwMDAwMDAwMDAwMDAwMDAwMDB9", "###"]
)
def test_search__forged_cursor__400_or_nothing(agent_api, cursor):
    response = agent_api.get("/v1/support/search", {"q": "a@b.example", "cursor": cursor})

    assert response.status_code in (200, 400)


def test_pages__huge_ids__404_not_500(agent_client, agent_api):
    who = customer()
    assert agent_client.get(f"/support/customers/{HUGE}/").status_code == 404
    assert agent_client.get(f"/support/transactions/{HUGE}/").status_code == 404
    assert agent_api.get(f"/v1/support/customers/{HUGE}").status_code == 404
    page = agent_client.get(
        f"/support/customers/{who.pk}/transactions/",
        {"before_at": "2026-01-01T00:00:00Z", "before_id": HUGE},
    )
    assert page.status_code < 500
    api = agent_api.get(
        f"/v1/support/customers/{who.pk}/transactions",
        {"before_at": "2026-01-01T00:00:00Z", "before_id": HUGE},
    )
    assert api.status_code < 500


def test_ingest__odd_values__each_named_not_500(ingest_api):
    records = [
        {"external_id": "ok-0", "kyc_status": "nope"},
        {"external_id": "ok-1", "active_referral_count": 10**30},
        {"external_id": "ok-2", "created_at": "2026-13-45T99:00:00Z"},
        {"external_id": "ok-3", "email": "x" * 300},
        "not an object",
    ]

    response = ingest_api.post("/v1/support/ingest/customers", {"records": records}, format="json")

    assert response.status_code == 400
    assert {r["index"] for r in response.json()["error"]["records"]} == {0, 1, 2, 3, 4}


def test_ingest__nul_character__refused_naming_the_record_field(ingest_api):
    records = [{"external_id": "ok-0"}, {"external_id": "bad\x00id"}]

    response = ingest_api.post("/v1/support/ingest/customers", {"records": records}, format="json")

    assert response.status_code == 400
    assert "records.1.external_id" in response.json()["error"]["fields"]
