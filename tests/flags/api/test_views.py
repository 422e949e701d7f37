"""The flags API: evaluation (single, batch, snapshot), setting states, reads, creation.

Everything goes through the API client; the database is checked afterwards.
"""

from __future__ import annotations

import pytest
from django.core.cache import caches

from apps.approvals.models import ChangeRequest
from apps.audit.models import AccessLogEntry, AuditEvent
from apps.flags import evaluation
from apps.flags.models import Flag, FlagState
from tests.flags.helpers import fresh_code, row_counts

pytestmark = pytest.mark.django_db

SET_URL = "/v1/admin/system-flags/set"


@pytest.fixture(autouse=True)
def _version_from_the_database(settings):
    """Each test runs in one transaction that never commits, so the on-commit publication
    of the new version to the shared cache (Redis) never happens here: read the version
    from the database instead. (Propagation through the cache after a real commit is
    tested in test_propagation.py.)"""
    settings.FLAGS_VERSION_SOURCE = "db"


@pytest.fixture
def ops(make_user):
    return make_user("ops", username="flags-ops")


@pytest.fixture
def super_admins(make_user):
    return make_user("super_admin", username="flags-sa1"), make_user(
        "super_admin", username="flags-sa2"
    )


@pytest.fixture
def ops_api(ops, verified_api_client):
    return verified_api_client(ops)


@pytest.fixture
def reader(token_client):
    client, _token = token_client(scopes=["flags:read"])
    return client


def set_state(client, **body):
    body.setdefault("reason", "launch incident")
    return client.post(SET_URL, body, format="json")


def evaluate(client, key, **context):
    return client.get(f"/v1/flags/{key}/evaluate", context)


# --- evaluation ------------------------------------------------------------------------------


def test_evaluate__no_state__allowed_by_default(reader):
    response = evaluate(reader, "contribute", round="42")

    assert response.status_code == 200
    body = response.json()
    assert body["flag"] == "contribute" and body["allowed"] is True
    assert body["reason"] == "DEFAULT" and body["state"] is None
    assert body["version"]


def test_evaluate__round_42_blocked__round_42_denied_round_43_allowed(ops_api, reader):
    created = set_state(
        ops_api, flag="contribute", state="blocked", scope={"round": "42"}, incident="INC-7"
    )
    assert created.status_code == 201, created.content

    blocked = evaluate(reader, "contribute", round="42").json()
    other = evaluate(reader, "contribute", round="43").json()

    assert blocked["allowed"] is False and blocked["reason"] == "BLOCKED_SCOPE"
    assert blocked["state"]["id"] == created.json()["state"]["id"]
    assert blocked["state"]["scope_kind"] == "round" and blocked["state"]["scope_value"] == "42"
    assert blocked["state"]["incident_ref"] == "INC-7"
    assert blocked["state"]["reason"] == "launch incident" and blocked["state"]["since"]
    assert other["allowed"] is True


def test_evaluate__global_block__every_round_denied(ops_api, reader):
    set_state(ops_api, flag="payout", state="blocked")

    body = evaluate(reader, "payout", network="ethereum", round="5").json()

    assert body["allowed"] is False and body["reason"] == "BLOCKED_GLOBAL"


def test_evaluate__user_scoped_block__only_that_user(ops_api, reader):
    assert (
        set_state(
            ops_api, flag="feed.post", state="blocked", scope={"kind": "user", "value": "cust-9"}
        ).status_code
        == 201
    )

    assert evaluate(reader, "feed.post", user="cust-9").json()["allowed"] is False
    assert evaluate(reader, "feed.post", user="cust-10").json()["allowed"] is True
    assert evaluate(reader, "feed.post").json()["allowed"] is True


def test_evaluate__gate_opened_for_allow_listed_user__open_for_them_only(ops_api, reader):
    response = set_state(ops_api, flag="public_live", state="open", scope={"user": "dev-1"})
    assert response.status_code == 201, response.content

    mine = evaluate(reader, "public_live", user="dev-1").json()
    theirs = evaluate(reader, "public_live", user="someone").json()

    assert mine["allowed"] is True and mine["reason"] == "GATE_OPEN"
    assert theirs["allowed"] is False and theirs["reason"] in ("GATE_CLOSED", "DEFAULT")


def test_evaluate__unknown_flag__404_flag_not_found_never_a_default(reader):
    response = evaluate(reader, "contribut", round="42")

    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "flag_not_found" and "contribut" in error["message"]


@pytest.mark.parametrize(
    "query",
    [
        {"round": "abc"},
        {"claim_type": "lottery"},
        {"colour": "red"},
        {"round": ["1", "2"]},
    ],
    ids=["round-not-a-number", "unknown-claim-type", "unknown-key", "key-twice"],
)
def test_evaluate__malformed_context__400_with_field(reader, query):
    response = reader.get("/v1/flags/claim/evaluate", query)

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_context"
    assert set(error["fields"]) == set(query)


def test_evaluate__hot_path__only_the_token_lookup_and_no_writes(
    reader, ops_api, settings, django_assert_max_num_queries
):
    # As in production (Redis): the version comes from the shared cache, not the database.
    settings.FLAGS_VERSION_SOURCE = "cache"
    set_state(ops_api, flag="contribute", state="blocked", scope={"round": "42"})
    caches["default"].delete(evaluation.VERSION_CACHE_KEY)  # as the on-commit bump would
    evaluate(reader, "contribute", round="42")  # warm: snapshot loaded, token's last use set
    before = (AuditEvent.objects.count(), AccessLogEntry.objects.count())

    with django_assert_max_num_queries(3) as captured:
        answers = [evaluate(reader, "contribute", round=r).json() for r in ("42", "43", "44")]

    assert [a["allowed"] for a in answers] == [False, True, True]
    assert all("accounts_apitoken" in q["sql"] for q in captured.captured_queries), captured
    assert (AuditEvent.objects.count(), AccessLogEntry.objects.count()) == before


# --- batch -------------------------------------------------------------------------------------


def test_batch__mixed_checks__one_decision_each_in_order(ops_api, reader):
    set_state(ops_api, flag="claim", state="blocked", scope={"claim_type": "referral"})

    response = reader.post(
        "/v1/flags/evaluate",
        {
            "checks": [
                {"flag": "claim", "context": {"claim_type": "referral", "user": "u1"}},
                {"flag": "claim", "context": {"claim_type": "vesting"}},
                {"flag": "contribute"},
            ]
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["allowed"] for r in body["results"]] == [False, True, True]
    assert [r["flag"] for r in body["results"]] == ["claim", "claim", "contribute"]
    assert body["version"] == body["results"][0]["version"]


def test_batch__unknown_flag__404_naming_the_check(reader):
    response = reader.post(
        "/v1/flags/evaluate",
        {"checks": [{"flag": "contribute"}, {"flag": "nope"}]},
        format="json",
    )

    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "flag_not_found" and "checks[1].flag" in error["fields"]


@pytest.mark.parametrize(
    "body",
    [
        {"checks": []},
        {"checks": "contribute"},
        {},
        {"checks": [{"flag": "contribute", "context": {"round": "x"}}]},
        {"checks": [{"flag": "contribute", "context": ["round"]}]},
    ],
    ids=["empty", "not-a-list", "missing", "bad-round", "context-not-an-object"],
)
def test_batch__malformed__400(reader, body):
    response = reader.post("/v1/flags/evaluate", body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] in ("validation_error", "invalid_context")
    assert any(name.startswith("checks") for name in response.json()["error"]["fields"])


# --- snapshot ----------------------------------------------------------------------------------


def test_snapshot__etag_then_304_then_new_etag_after_a_change(reader, ops_api):
    first = reader.get("/v1/flags/snapshot")
    assert first.status_code == 200
    etag = first["ETag"]
    body = first.json()
    assert etag == f'"{body["version"]}"'
    assert {flag["key"] for flag in body["flags"]} >= {"contribute", "claim", "public_live"}

    again = reader.get("/v1/flags/snapshot", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag

    set_state(ops_api, flag="refund", state="blocked", scope={"network": "tron"})
    changed = reader.get("/v1/flags/snapshot", HTTP_IF_NONE_MATCH=etag)

    assert changed.status_code == 200 and changed["ETag"] != etag
    refund = next(f for f in changed.json()["flags"] if f["key"] == "refund")
    assert [(s["scope_kind"], s["scope_value"], s["state"]) for s in refund["states"]] == [
        ("network", "tron", "blocked")
    ]


# --- setting states ----------------------------------------------------------------------------


def test_set__safe_direction_by_ops__201_applied_at_once(ops, ops_api):
    response = set_state(
        ops_api, flag="contribute", state="blocked", scope={"kind": "round", "value": "42"}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["applied"] is True and body["change_request"] is None
    state = FlagState.objects.get(pk=body["state"]["id"])
    assert (state.flag.key, state.scope_kind, state.scope_value, state.state) == (
        "contribute",
        "round",
        "42",
        "blocked",
    )
    assert state.actor == ops and state.source == "api" and state.reason == "launch incident"
    assert body["state"]["actor"] == ops.username


def test_set__fund_flag_risky_direction__202_change_request_and_nothing_changes(
    ops_api, reader, super_admins, verified_api_client
):
    set_state(ops_api, flag="contribute", state="blocked")
    states_before = FlagState.objects.count()

    response = set_state(ops_api, flag="contribute", state="allowed", reason="fixed the feed")

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["applied"] is False and body["state"] is None
    request_id = body["change_request"]["id"]
    assert response["Location"] == f"/v1/approvals/{request_id}/"
    assert body["change_request"]["page_url"] == f"/approvals/{request_id}/"
    assert ChangeRequest.objects.get(pk=request_id).status == "pending"
    assert FlagState.objects.count() == states_before
    assert evaluate(reader, "contribute").json()["allowed"] is False

    approver = verified_api_client(super_admins[1])
    approved = approver.post(
        f"/v1/approvals/{request_id}/approve",
        {"otp_code": fresh_code(super_admins[1])},
        format="json",
    )

    assert approved.status_code == 200, approved.content
    assert evaluate(reader, "contribute").json()["allowed"] is True


def test_set__non_fund_flag_risky_direction_by_ops__201_applied(ops_api, reader):
    set_state(ops_api, flag="feed.post", state="blocked")

    response = set_state(ops_api, flag="feed.post", state="allowed", reason="spam wave over")

    assert response.status_code == 201, response.content
    assert evaluate(reader, "feed.post").json()["allowed"] is True


def test_set__idempotent_replay__same_answer_one_row(ops_api):
    body = {"flag": "payout", "state": "blocked", "scope": {"network": "bsc"}, "reason": "RPC"}

    first = ops_api.post(SET_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="block-bsc-1")
    again = ops_api.post(SET_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="block-bsc-1")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert FlagState.objects.filter(flag__key="payout").count() == 1


def test_set__same_key_other_body__422_and_nothing_written(ops_api):
    body = {"flag": "payout", "state": "blocked", "scope": {"network": "bsc"}, "reason": "RPC"}
    ops_api.post(SET_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="block-bsc-2")
    before = row_counts()

    other = ops_api.post(
        SET_URL,
        {**body, "scope": {"network": "tron"}},
        format="json",
        HTTP_IDEMPOTENCY_KEY="block-bsc-2",
    )

    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert row_counts() == before


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"flag": "no.such.flag", "state": "blocked"}, 404, "flag_not_found", "flag"),
        ({"flag": "feed.post", "state": "blocked", "scope": {"round": "42"}}, 400, None, "scope"),
        ({"flag": "contribute", "state": "blocked", "reason": "   "}, 400, None, "reason"),
        ({"flag": "contribute", "state": "blocked", "reason": ""}, 400, None, "reason"),
        ({"flag": "contribute", "state": "blocked", "scope": {"round": "abc"}}, 400, None, "scope"),
        ({"flag": "contribute", "state": "blocked", "scope": ["round"]}, 400, None, "scope"),
        (
            {"flag": "contribute", "state": "blocked", "scope": {"kind": "planet", "value": "x"}},
            400,
            None,
            "scope",
        ),
        ({"flag": "contribute", "state": "open"}, 400, None, "state"),
        ({"flag": "contribute", "state": "maybe"}, 400, None, "state"),
        (
            {"flag": "contribute", "state": "blocked", "until": "2001-01-01T00:00:00Z"},
            400,
            None,
            "until",
        ),
    ],
    ids=[
        "unknown-flag",
        "scope-not-accepted",
        "blank-reason",
        "empty-reason",
        "malformed-round",
        "scope-not-an-object",
        "unknown-scope-kind",
        "gate-state-on-kill-switch",
        "unknown-state",
        "until-in-the-past",
    ],
)
def test_set__bad_input__clear_error_and_nothing_written(ops_api, body, status, code, field):
    body.setdefault("reason", "launch incident")
    before = row_counts()

    response = ops_api.post(SET_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="bad-input")

    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == (code or "validation_error")
    assert field in error["fields"] and error["fields"][field][0]
    assert row_counts() == before


def test_set__role_without_permission__403_nothing_written(make_user, verified_api_client):
    finance = verified_api_client(make_user("finance"))
    before = row_counts()

    response = set_state(finance, flag="contribute", state="blocked")

    assert response.status_code == 403
    assert row_counts() == before


def test_set__support_user_scope__applied_global__refused(make_user, verified_api_client):
    support = verified_api_client(make_user("support"))

    user_scoped = set_state(support, flag="feed.post", state="blocked", scope={"user": "spammer"})
    global_scope = set_state(support, flag="feed.post", state="blocked")

    assert user_scoped.status_code == 201, user_scoped.content
    assert global_scope.status_code == 403


def test_set__token_with_flags_write__safe_direction_applies(token_client, reader):
    writer, token = token_client(scopes=["flags:write"])

    response = set_state(writer, flag="refund", state="blocked", scope={"network": "solana"})

    assert response.status_code == 201, response.content
    state = FlagState.objects.get(pk=response.json()["state"]["id"])
    assert state.actor == token.service_account and state.source == "api"
    assert evaluate(reader, "refund", network="solana").json()["allowed"] is False


def test_set__token_fund_risky_direction__202_files_change_request(
    token_client, ops_api, reader, super_admins
):
    set_state(ops_api, flag="payout", state="blocked", scope={"network": "bsc"})
    writer, token = token_client(scopes=["flags:write"])

    response = set_state(writer, flag="payout", state="allowed", scope={"network": "bsc"})

    assert response.status_code == 202, response.content
    change_request = ChangeRequest.objects.get(pk=response.json()["change_request"]["id"])
    assert change_request.requester == token.service_account
    assert evaluate(reader, "payout", network="bsc").json()["allowed"] is False


def test_set__second_unblock_while_one_is_pending__409_nothing_written(ops_api, super_admins):
    set_state(ops_api, flag="contribute", state="blocked", scope={"round": "9"})
    first = set_state(ops_api, flag="contribute", state="allowed", scope={"round": "9"})
    before = row_counts()

    second = set_state(
        ops_api, flag="contribute", state="allowed", scope={"round": "9"}, reason="again"
    )

    assert first.status_code == 202
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "pending_request_exists" and error["message"]
    assert row_counts() == before


def test_set__state_already_in_force__400_says_so(ops_api):
    set_state(ops_api, flag="feed.post", state="blocked")
    before = row_counts()

    again = set_state(ops_api, flag="feed.post", state="blocked")

    assert again.status_code == 400
    assert "already" in again.json()["error"]["fields"]["state"][0]
    assert row_counts() == before


def test_set__token_with_read_scope_only__403(reader):
    before = row_counts()

    response = set_state(reader, flag="refund", state="blocked")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "scope_missing"
    assert row_counts() == before


# --- reads ---------------------------------------------------------------------------------------


def test_list__every_flag_with_current_states_and_filters(ops_api, reader):
    set_state(ops_api, flag="contribute", state="blocked", scope={"round": "42"})

    everything = reader.get("/v1/flags/").json()
    blocked = reader.get("/v1/flags/", {"blocked": "1"}).json()
    gates = reader.get("/v1/flags/", {"kind": "gate"}).json()

    assert everything["count"] == Flag.objects.count()
    contribute = next(f for f in everything["results"] if f["key"] == "contribute")
    assert contribute["blocked"] is True and contribute["fund_related"] is True
    assert contribute["states"][0]["scope_value"] == "42"
    assert "round" in contribute["scopes"] and contribute["scopes"][0] == "global"
    assert [f["key"] for f in blocked["results"]] == ["contribute"]
    assert [f["key"] for f in gates["results"]] == ["public_live"]


def test_detail_and_history__states_newest_first_paginated(ops_api, reader):
    for number in range(1, 4):
        set_state(ops_api, flag="finalize", state="blocked", scope={"round": str(number)})

    detail = reader.get("/v1/flags/finalize/")
    history = reader.get("/v1/flags/finalize/states", {"page_size": 2})

    assert detail.status_code == 200
    assert {s["scope_value"] for s in detail.json()["states"]} == {"1", "2", "3"}
    assert history.json()["count"] == 3
    assert [s["scope_value"] for s in history.json()["results"]] == ["3", "2"]
    assert history.json()["next"]


@pytest.mark.parametrize("path", ["/v1/flags/nope/", "/v1/flags/nope/states"])
def test_read__unknown_flag__404_flag_not_found(reader, path):
    response = reader.get(path)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "flag_not_found"


def test_create__super_admin__201_and_evaluable(super_admins, verified_api_client, reader):
    client = verified_api_client(super_admins[0])

    response = client.post(
        "/v1/flags/",
        {
            "key": "bridge.deposit",
            "description": "Deposits through the bridge.",
            "kind": "kill_switch",
            "fund_related": True,
            "scopes": ["network"],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["key"] == "bridge.deposit"
    assert Flag.objects.get(key="bridge.deposit").created_by == super_admins[0]
    assert evaluate(reader, "bridge.deposit", network="ethereum").json()["allowed"] is True


def test_create__duplicate_key__400_nothing_written(super_admins, verified_api_client):
    client = verified_api_client(super_admins[0])
    before = row_counts()

    response = client.post(
        "/v1/flags/",
        {"key": "contribute", "description": "again", "kind": "kill_switch"},
        format="json",
    )

    assert response.status_code == 400
    assert "key" in response.json()["error"]["fields"]
    assert row_counts() == before
