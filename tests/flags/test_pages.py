"""The flags pages: the panel, one-click block, unblock, history, scheduled changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.approvals.models import ChangeRequest
from apps.flags import services
from apps.flags.models import Flag, FlagState, ScheduledFlagChange
from tests.flags.helpers import row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(make_user):
    return make_user("ops", username="panel-ops")


@pytest.fixture
def ops_client(ops, verified_client):
    return verified_client(ops)


@pytest.fixture
def super_admins(make_user):
    return make_user("super_admin"), make_user("super_admin")


def flag(key: str) -> Flag:
    return Flag.objects.get(key=key)


def block(actor, key, *, scope_kind="global", scope_value="", reason="incident", **extra):
    return services.flag_state_set(
        actor=actor,
        flag=flag(key),
        state=flag(key).safe_state,
        reason=reason,
        scope_kind=scope_kind,
        scope_value=scope_value,
        **extra,
    )


def _text(response) -> str:
    return response.content.decode()


# --- the panel -----------------------------------------------------------------------------


def test_panel__every_flag__blocked_first_with_who_why_since_and_incident(ops, ops_client):
    block(
        ops,
        "payout",
        scope_kind="network",
        scope_value="tron",
        reason="RPC lies",
        incident_ref="INC-42",
    )

    response = ops_client.get("/flags/")

    assert response.status_code == 200
    page = _text(response)
    for key in Flag.objects.values_list("key", flat=True):
        assert f'data-flag="{key}"' in page
    rows = [entry["flag"].key for entry in response.context["entries"]]
    assert rows[0] == "payout"
    assert "RPC lies" in page and "INC-42" in page and ops.username in page
    assert "network=tron" in page


def test_panel__filters__kind_and_blocked(ops, ops_client):
    block(ops, "feed.post", reason="spam")

    gates = ops_client.get("/flags/", {"kind": "gate"}).context["entries"]
    blocked = ops_client.get("/flags/", {"blocked": "on"}).context["entries"]

    assert [entry["flag"].key for entry in gates] == ["public_live"]
    assert [entry["flag"].key for entry in blocked] == ["feed.post"]


def test_panel__query_count__same_for_few_and_many_states(
    ops, ops_client, django_assert_max_num_queries
):
    block(ops, "contribute", scope_kind="round", scope_value="1")
    with django_assert_max_num_queries(16) as few:
        ops_client.get("/flags/")
    for number in range(2, 40):
        block(ops, "contribute", scope_kind="round", scope_value=str(number))
        block(ops, "claim", scope_kind="user", scope_value=f"cust-{number}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = ops_client.get("/flags/")

    assert "round=39" in _text(response)


def test_panel__finance__sees_flags_without_block_forms(make_user, verified_client):
    client = verified_client(make_user("finance"))

    response = client.get("/flags/")

    assert response.status_code == 200
    assert all(entry["block_form"] is None for entry in response.context["entries"])
    assert client.post("/flags/contribute/block", {"reason": "x"}).status_code == 403


def test_panel__support__offered_the_user_scope_only(make_user, verified_client):
    client = verified_client(make_user("support"))

    entries = {e["flag"].key: e for e in client.get("/flags/").context["entries"]}

    assert [c[0] for c in entries["feed.post"]["block_form"].fields["scope_kind"].choices] == [
        "user"
    ]
    assert entries["round.approve"]["block_form"] is None


def test_navigation__flags_entry_for_a_verified_person(ops_client):
    response = ops_client.get("/flags/")

    assert any(item["url"] == "/flags/" for item in response.context["nav_items"])


# --- block and unblock -------------------------------------------------------------------


def test_block__from_panel__applied_at_once_and_back_to_the_panel(ops, ops_client):
    response = ops_client.post(
        "/flags/contribute/block",
        {
            "scope_kind": "round",
            "scope_value": "42",
            "reason": "Price feed stuck",
            "incident_ref": "INC-3",
            "next": "/flags/",
        },
    )

    assert response.status_code == 302 and response["Location"] == "/flags/"
    state = FlagState.objects.get(flag__key="contribute")
    assert (state.scope_kind, state.scope_value, state.state) == ("round", "42", "blocked")
    assert (state.actor, state.source, state.incident_ref) == (ops, "portal", "INC-3")
    follow = ops_client.get("/flags/")
    assert "contribute is now Blocked (round=42)." in _text(follow)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"scope_kind": "global", "reason": ""}, "reason", "Say why"),
        ({"scope_kind": "global", "reason": "   "}, "reason", "Say why"),
        (
            {"scope_kind": "round", "scope_value": "abc", "reason": "x"},
            "scope_value",
            "positive whole number",
        ),
        ({"scope_kind": "round", "scope_value": "", "reason": "x"}, "scope_value", "Enter a value"),
        ({"scope_kind": "claim_type", "scope_value": "vesting", "reason": "x"}, "scope_kind", ""),
        ({"scope_kind": "global", "reason": "x", "until": "2001-01-01T10:00"}, "until", "future"),
    ],
    ids=[
        "empty-reason",
        "blank-reason",
        "bad-round",
        "missing-value",
        "scope-not-accepted",
        "past-until",
    ],
)
def test_block__bad_input__400_field_error_nothing_written(ops_client, data, field, message):
    before = row_counts()

    response = ops_client.post("/flags/contribute/block", data)

    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert row_counts() == before


def test_unblock__fund_flag__files_change_request_and_says_so(ops, ops_client, super_admins):
    block(ops, "claim", scope_kind="claim_type", scope_value="referral")
    states_before = FlagState.objects.count()

    form = ops_client.get(
        "/flags/claim/unblock", {"scope_kind": "claim_type", "scope_value": "referral"}
    )
    response = ops_client.post(
        "/flags/claim/unblock",
        {"scope_kind": "claim_type", "scope_value": "referral", "reason": "farming stopped"},
        follow=True,
    )

    assert form.status_code == 200 and "fund-related" in _text(form)
    assert form.context["form"].initial["scope_value"] == "referral"
    change_request = ChangeRequest.objects.get()
    assert change_request.status == "pending" and change_request.requester == ops
    assert FlagState.objects.count() == states_before
    page = _text(response)
    assert f'href="/approvals/{change_request.pk}/"' in page
    assert "second super admin" in page
    panel = _text(ops_client.get("/flags/"))
    assert f"change requested (#{change_request.pk}), waiting for approval" in panel


def test_unblock__request_already_pending__400_with_the_reason(ops, ops_client, super_admins):
    block(ops, "payout", scope_kind="network", scope_value="tron")
    data = {"scope_kind": "network", "scope_value": "tron", "reason": "RPC fixed"}
    ops_client.post("/flags/payout/unblock", data)

    response = ops_client.post("/flags/payout/unblock", data)

    assert response.status_code == 400
    assert "already pending" in " ".join(response.context["form"].non_field_errors())
    assert ChangeRequest.objects.count() == 1


def test_unblock__non_fund_flag__applied_by_one_ops(ops, ops_client):
    block(ops, "feed.post", reason="spam wave")

    response = ops_client.post(
        "/flags/feed.post/unblock", {"scope_kind": "global", "reason": "over"}
    )

    assert response.status_code == 302
    latest = FlagState.objects.filter(flag__key="feed.post").first()
    assert latest.state == "allowed" and latest.actor == ops
    assert not ChangeRequest.objects.exists()


def test_unblock__incident_commander__refused(make_user, verified_client):
    client = verified_client(make_user("incident_commander"))

    assert client.get("/flags/feed.post/unblock").status_code == 403
    assert client.get("/flags/feed.post/block").status_code == 200


# --- history -------------------------------------------------------------------------------


def test_history__newest_first_paginated_with_constant_queries(
    ops, ops_client, django_assert_max_num_queries
):
    block(ops, "finalize", scope_kind="round", scope_value="1", reason="reason-1")
    with django_assert_max_num_queries(20) as few:
        ops_client.get("/flags/finalize/")
    for number in range(2, 31):
        block(
            ops, "finalize", scope_kind="round", scope_value=str(number), reason=f"reason-{number}"
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        first = ops_client.get("/flags/finalize/")
    second = ops_client.get("/flags/finalize/", {"page": 2})

    history = first.context["history"]
    assert history.paginator.count == 30 and len(history.object_list) == 25
    assert history.object_list[0].reason == "reason-30"
    assert [s.reason for s in second.context["history"].object_list][-1] == "reason-1"
    assert "Page 1 of 2" in _text(first)


def test_history__unknown_flag__404(ops_client):
    assert ops_client.get("/flags/no.such.flag/").status_code == 404


# --- scheduled changes ---------------------------------------------------------------------


def _local(hours: float) -> str:
    return timezone.localtime(timezone.now() + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def test_scheduled__create_list_cancel(ops, ops_client):
    created = ops_client.post(
        "/flags/scheduled/",
        {
            "flag": "public_live",
            "state": "open",
            "scope_kind": "global",
            "run_at": _local(24),
            "reason": "Public launch",
        },
    )
    change = ScheduledFlagChange.objects.get()
    listed = ops_client.get("/flags/scheduled/")
    refused = ops_client.post(f"/flags/scheduled/{change.pk}/cancel", {"reason": ""}, follow=True)
    cancelled = ops_client.post(
        f"/flags/scheduled/{change.pk}/cancel", {"reason": "launch moved"}, follow=True
    )

    assert created.status_code == 302
    assert change.requested_by == ops and change.status == "scheduled"
    assert f'data-scheduled-id="{change.pk}"' in _text(listed)
    assert "Say why it should not run." in _text(refused)
    change.refresh_from_db()
    assert change.status == "cancelled" and change.cancel_reason == "launch moved"
    assert "Scheduled change cancelled." in _text(cancelled)


def test_scheduled__bad_input__400_field_errors(ops_client):
    before = row_counts()

    response = ops_client.post(
        "/flags/scheduled/",
        {
            "flag": "public_live",
            "state": "open",
            "scope_kind": "global",
            "run_at": _local(-1),
            "reason": "",
        },
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "run_at" in errors and "reason" in errors
    assert row_counts() == before


def test_scheduled__fund_risky__links_the_change_request(ops_client, super_admins):
    response = ops_client.post(
        "/flags/scheduled/",
        {
            "flag": "contribute",
            "state": "allowed",
            "scope_kind": "round",
            "scope_value": "7",
            "run_at": _local(24),
            "reason": "Open fundraising",
        },
        follow=True,
    )

    change = ScheduledFlagChange.objects.get()
    assert change.status == "awaiting_approval" and change.change_request_id
    assert f'href="/approvals/{change.change_request_id}/"' in _text(response)


def test_scheduled__query_count__constant(ops, ops_client, django_assert_max_num_queries):
    def schedule(number):
        services.scheduled_change_create(
            actor=ops,
            flag=flag("feed.post"),
            state="blocked",
            run_at=timezone.now() + timedelta(hours=number),
            reason=f"window {number}",
        )

    schedule(1)
    with django_assert_max_num_queries(20) as few:
        ops_client.get("/flags/scheduled/")
    for number in range(2, 20):
        schedule(number)

    with django_assert_max_num_queries(len(few.captured_queries)):
        ops_client.get("/flags/scheduled/")
