"""The support pages through the browser's door: search, customer, transaction,
diagnostics, reveal, support actions, replies and supervision."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AccessLogEntry
from apps.flags import evaluation
from apps.flags.models import FlagState
from apps.support.models import CannedReply, ReplyUsage
from tests.support.factories import (
    ago,
    customer,
    evm_address,
    evm_hash,
    hex_hash,
    ingest,
    refund,
    round_,
    solana_address,
    solana_signature,
    transaction,
    tron_address,
    wallet,
)


def _search(client, q, **extra):
    return client.get("/support/", {"q": q, **extra})


def _hit_customers(response):
    return [
        row["hit"].customer.external_id for row in response.context["rows"] if row["hit"].customer
    ]


# --- search: each identifier finds its record ----------------------------------------------


@pytest.fixture
def budi():
    who = customer(
        "cust-1042",
        email="Budi.Santoso@Mail.Example",
        handle="budi_s",
        display_name="Budi Santoso",
        language="id",
    )
    return who


def test_search__email__finds_customer(agent_client, budi):
    response = _search(agent_client, "budi.santoso@MAIL.example")

    assert response.status_code == 200
    assert _hit_customers(response) == ["cust-1042"]
    assert "Email of cust-1042" in response.content.decode()


@pytest.mark.parametrize("form", ["checksum", "lower", "upper"])
def test_search__evm_address_any_case__finds_owner(agent_client, budi, form):
    address = evm_address("budi-evm")
    wallet(budi, address=address)
    typed = {"checksum": address, "lower": address.lower(), "upper": "0x" + address[2:].upper()}

    response = _search(agent_client, typed[form])

    assert _hit_customers(response) == ["cust-1042"]
    assert "EVM address, primary wallet of cust-1042 on ethereum" in response.content.decode()


def test_search__wrong_evm_checksum__not_a_valid_checksum(agent_client, budi):
    address = evm_address("budi-evm2")
    wallet(budi, address=address)
    position = next(i for i, c in enumerate(address) if i > 1 and c.isalpha())
    wrong = address[:position] + address[position].swapcase() + address[position + 1 :]

    response = _search(agent_client, wrong)

    assert response.context["rows"] == []
    assert "not a valid checksum" in response.content.decode()


def test_search__solana_and_tron_addresses__find_owners(agent_client, budi):
    sol, tron = solana_address(), tron_address()
    wallet(budi, network="solana", address=sol)
    wallet(budi, network="tron", address=tron)

    assert _hit_customers(_search(agent_client, sol)) == ["cust-1042"]
    assert _hit_customers(_search(agent_client, tron)) == ["cust-1042"]


def test_search__solana_signature__finds_transaction(agent_client, budi):
    signature = solana_signature()
    transaction(budi, network="solana", hash=signature, asset="USDC")

    response = _search(agent_client, signature)

    assert [row["hit"].transaction.tx_hash for row in response.context["rows"]] == [signature]


def test_search__hash_on_two_networks__both_listed(agent_client, budi):
    other = customer("cust-2")
    shared = evm_hash("shared")
    transaction(budi, network="ethereum", hash=shared)
    transaction(other, network="bsc", hash=shared, kind="payout", status="failed")

    response = _search(agent_client, shared)

    assert {row["hit"].transaction.network for row in response.context["rows"]} == {
        "ethereum",
        "bsc",
    }


def test_search__tron_id_without_0x__found_also_as_evm(agent_client, budi):
    tron_id = hex_hash("tron-id")
    transaction(budi, network="tron", hash=tron_id, asset="USDT")
    transaction(customer("cust-3"), network="ethereum", hash="0x" + tron_id)

    response = _search(agent_client, tron_id.upper())

    assert len(response.context["rows"]) == 2


def test_search__external_id_handle_and_number__found(agent_client, budi):
    assert _hit_customers(_search(agent_client, "cust-1042")) == ["cust-1042"]
    assert _hit_customers(_search(agent_client, "@Budi_S")) == ["cust-1042"]
    assert _hit_customers(_search(agent_client, str(budi.pk)))[0] == "cust-1042"


def test_search__round_id__round_hit(agent_client):
    round_(4242, project_name="Komodo DAO")

    response = _search(agent_client, "4242")

    assert response.context["rows"][0]["hit"].round.project_name == "Komodo DAO"


def test_search__partial_email_handle_name__found(agent_client, budi):
    assert "cust-1042" in _hit_customers(_search(agent_client, "santoso@mai"))
    assert "cust-1042" in _hit_customers(_search(agent_client, "udi_"))
    assert "cust-1042" in _hit_customers(_search(agent_client, "Budi San"))


def test_search__hash_prefix__found(agent_client, budi):
    tx_hash = evm_hash("prefix")
    transaction(budi, hash=tx_hash)

    response = _search(agent_client, tx_hash[:12])

    assert [row["hit"].transaction.tx_hash for row in response.context["rows"]] == [tx_hash]


def test_search__more_than_a_page__keyset_cursor(agent_client, settings):
    settings.SUPPORT_SEARCH_LIMIT = 2
    for n in range(5):
        customer(f"page-{n}", display_name=f"Pagina Person {n}")

    first = _search(agent_client, "pagina person")
    cursor = first.context["result"].next_cursor
    second = _search(agent_client, "pagina person", cursor=cursor)
    third = _search(agent_client, "pagina person", cursor=second.context["result"].next_cursor)

    names = _hit_customers(first) + _hit_customers(second) + _hit_customers(third)
    assert names == [f"page-{n}" for n in range(5)]
    assert third.context["result"].next_cursor is None


def test_search__bad_cursor__400_not_500(agent_client):
    response = _search(agent_client, "anything", cursor="!!not-base64!!")

    assert response.status_code == 400


def test_search__masked_email_and_name(agent_client, budi):
    content = _search(agent_client, "cust-1042").content.decode()

    assert "Budi.Santoso@Mail.Example" not in content
    assert "Budi Santoso" not in content
    assert "B•••@M•••.Example" in content


# --- access log ------------------------------------------------------------------------------


def test_search__logged_with_ticket(agent_client, agent, budi):
    _search(agent_client, "cust-1042", ticket="ZD-77")

    entry = AccessLogEntry.objects.get(what="support.search")
    assert (entry.actor_id, entry.ticket) == (agent.pk, "ZD-77")
    assert "cust-1042" in entry.subject_repr


def test_customer_and_transaction_pages__each_view_logged(agent_client, agent, budi):
    tx = transaction(budi)
    from apps.support.models import Transaction

    row = Transaction.objects.get(tx_hash=tx["hash"])

    agent_client.get(f"/support/customers/{budi.pk}/?ticket=ZD-1")
    agent_client.get(f"/support/customers/{budi.pk}/")
    agent_client.get(f"/support/transactions/{row.pk}/")

    views = AccessLogEntry.objects.filter(actor_id=agent.pk).order_by("id")
    assert [(v.what, v.subject_id, v.ticket) for v in views] == [
        ("support.customer_view", str(budi.pk), "ZD-1"),
        ("support.customer_view", str(budi.pk), ""),
        ("support.transaction_view", str(row.pk), ""),
    ]


# --- privacy -----------------------------------------------------------------------------------


@pytest.fixture
def lead(make_user):
    from apps.support.services.leads import support_lead_set

    person = make_user("support", username="lead-lina")
    support_lead_set(actor=make_user("super_admin"), user=person, lead=True, reason="team lead")
    return person


def test_customer_page__support__email_masked_no_reveal(agent_client, budi):
    response = agent_client.get(f"/support/customers/{budi.pk}/")

    content = response.content.decode()
    assert "Budi.Santoso@Mail.Example" not in content
    assert 'id="reveal-link"' not in content
    assert agent_client.post(f"/support/customers/{budi.pk}/reveal", {}).status_code == 403


def test_reveal__without_reason__refused_and_not_logged(verified_client, lead, budi):
    client = verified_client(lead)

    response = client.post(f"/support/customers/{budi.pk}/reveal", {"ticket": "ZD-9"})

    assert response.status_code == 400
    assert not AccessLogEntry.objects.filter(what="support.reveal_pii").exists()
    assert (
        "Budi.Santoso@Mail.Example"
        not in client.get(f"/support/customers/{budi.pk}/").content.decode()
    )


def test_reveal__with_reason__shown_and_logged(verified_client, lead, budi):
    client = verified_client(lead)

    response = client.post(
        f"/support/customers/{budi.pk}/reveal",
        {"reason_code": "identity_check", "ticket": "ZD-9"},
    )
    page = client.get(f"/support/customers/{budi.pk}/")

    assert response.status_code == 302
    assert "Budi.Santoso@Mail.Example" in page.content.decode()
    entry = AccessLogEntry.objects.get(what="support.reveal_pii")
    assert (entry.actor_id, entry.subject_id, entry.ticket) == (lead.pk, str(budi.pk), "ZD-9")
    assert entry.reason.startswith("identity_check")


# --- customer page -----------------------------------------------------------------------------


def test_customer_page__pending_past_threshold__stuck(agent_client, budi):
    transaction(budi, status="pending", submitted_at=ago(minutes=16))
    transaction(budi, status="pending", submitted_at=ago(minutes=5))

    response = agent_client.get(f"/support/customers/{budi.pk}/")

    rows = response.context["view"].transactions
    assert [row.stuck for row in rows] == [False, True]
    assert response.content.decode().count("data-stuck") == 1


def test_customer_page__primary_wallet_marked_and_no_incidents(agent_client, budi):
    wallet(budi, primary=True)
    wallet(budi, primary=False)

    content = agent_client.get(f"/support/customers/{budi.pk}/").content.decode()

    assert content.count('badge ok">primary') == 1
    assert "No open incidents on" in content


def test_customer_page__open_incidents_on_customer_actions_listed(agent_client, agent_api, budi):
    from apps.incidents.models import Status
    from tests.incidents.factories import declare

    on_claims = declare(title="Vesting claims failing", affected_actions=["claim"])
    elsewhere = declare(title="Admin console slow", affected_actions=["round.approve"])
    closed = declare(title="Refunds stuck last week", affected_actions=["refund"])
    Incident = type(closed)
    Incident.objects.filter(pk=closed.pk).update(status=Status.CLOSED)

    content = agent_client.get(f"/support/customers/{budi.pk}/").content.decode()

    assert on_claims.number in content and "Vesting claims failing" in content
    assert elsewhere.number not in content
    assert closed.number not in content
    assert "No open incidents on" not in content

    answer = agent_api.get(f"/v1/support/customers/{budi.pk}").json()
    assert [row["number"] for row in answer["incidents"]] == [on_claims.number]
    assert answer["incidents"][0]["severity"] == "S2"
    assert answer["incidents"][0]["affected_actions"] == ["claim"]


def _customer_page_queries(client, who) -> int:
    client.get(f"/support/customers/{who.pk}/")  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/support/customers/{who.pk}/")
    assert response.status_code == 200
    return len(queries)


def _many_transactions(who, count):
    records = [
        {
            "network": "ethereum",
            "hash": evm_hash(f"{who.external_id}-{n}"),
            "kind": "contribute",
            "status": "confirmed",
            "amount": str(n + 1),
            "asset": "USDT",
            "round": 100 + n % 7,
            "customer": who.external_id,
            "submitted_at": ago(minutes=n + 1),
            "confirmed_at": ago(minutes=n),
        }
        for n in range(count)
    ]
    for start in range(0, count, 1000):
        ingest("transactions", *records[start : start + 1000])


def test_customer_page__5000_transactions__same_query_count(agent_client, agent_api):
    few, many = customer("few-tx"), customer("many-tx")
    for who in (few, many):
        wallet(who)
        wallet(who, network="tron")
        refund(who, 101, status="failed")
    _many_transactions(few, 3)
    _many_transactions(many, 5000)

    assert _customer_page_queries(agent_client, few) == _customer_page_queries(agent_client, many)
    for path in ("/v1/support/customers/{}", "/v1/support/customers/{}/transactions"):
        counts = []
        for who in (few, many):
            agent_api.get(path.format(who.pk))
            with CaptureQueriesContext(connection) as queries:
                agent_api.get(path.format(who.pk))
            counts.append(len(queries))
        assert counts[0] == counts[1], path


# --- support actions ---------------------------------------------------------------------------


def test_freeze_claims__from_customer_page__blocks_that_user_only(agent_client, agent, budi):
    response = agent_client.post(
        f"/support/customers/{budi.pk}/actions/freeze_claims",
        {"reason": "referral farming suspected", "ticket": "ZD-5"},
    )

    assert response.status_code == 302
    state = FlagState.objects.get(flag__key="claim", scope_kind="user")
    assert (state.scope_value, state.state, state.actor_id) == ("cust-1042", "blocked", agent.pk)
    assert "ZD-5" in state.reason
    evaluation.reset()
    assert evaluation.evaluate("claim", {"user": "cust-1042"}).allowed is False
    assert evaluation.evaluate("claim", {"user": "cust-2"}).allowed is True


def test_freeze_claims__without_ticket__refused(agent_client, budi):
    agent_client.post(f"/support/customers/{budi.pk}/actions/freeze_claims", {"reason": "x"})

    assert not FlagState.objects.filter(scope_kind="user").exists()


def test_unfreeze__support__files_request_that_super_admin_approves(agent_client, budi, make_user):
    from apps.approvals.models import ChangeRequest
    from apps.approvals.services import change_request_approve
    from tests.conftest import fresh_code

    make_user("super_admin", username="sa-1")
    approver = make_user("super_admin", username="sa-2")
    agent_client.post(
        f"/support/customers/{budi.pk}/actions/freeze_claims",
        {"reason": "review", "ticket": "ZD-5"},
    )

    agent_client.post(
        f"/support/customers/{budi.pk}/actions/unfreeze_claims",
        {"reason": "review passed", "ticket": "ZD-5"},
    )

    request = ChangeRequest.objects.get(kind="flags.unblock_request")
    assert request.target == "flags.state:claim:user:cust-1042"
    assert FlagState.objects.filter(scope_kind="user").count() == 1
    change_request_approve(
        actor=approver, change_request_id=request.pk, otp_code=fresh_code(approver)
    )
    evaluation.reset()
    assert evaluation.evaluate("claim", {"user": "cust-1042"}).allowed is True


def test_block_then_unblock_posting__support__applied_at_once(agent_client, budi):
    url = f"/support/customers/{budi.pk}/actions/"
    agent_client.post(url + "block_posting", {"reason": "spam", "ticket": "ZD-6"})
    agent_client.post(url + "unblock_posting", {"reason": "cleared", "ticket": "ZD-6"})

    states = list(
        FlagState.objects.filter(flag__key="feed.post")
        .order_by("id")
        .values_list("state", flat=True)
    )
    assert states == ["blocked", "allowed"]


def test_actions__reviewer__refused(verified_client, make_user, budi):
    client = verified_client(make_user("reviewer"))

    response = client.post(
        f"/support/customers/{budi.pk}/actions/freeze_claims", {"reason": "x", "ticket": "Z-1"}
    )

    assert response.status_code == 403
    assert not FlagState.objects.filter(scope_kind="user").exists()


# --- diagnostics and replies ---------------------------------------------------------------------


def test_diagnose__refund_failed__indonesian_reply_by_default(agent_client, budi):
    round_(77, result="failed", status="cancelled")
    refund(budi, 77, status="owed")

    response = agent_client.get(f"/support/customers/{budi.pk}/diagnose/refund_failed/")

    assert response.context["diagnosis"].verdict == "no_primary_wallet"
    reply = response.context["reply"]
    assert reply.language == "id"
    assert "round 77" in reply.text and "{" not in reply.text
    assert AccessLogEntry.objects.filter(what="support.diagnostic").count() == 1


def test_diagnose__missing_value__flagged_not_blank(agent_client, budi):
    CannedReply.objects.filter(key="kyc_rejected", language="id").update(
        body="Halo {handle}, alasan: {kyc_reason}."
    )
    ingest("customers", {"external_id": "cust-1042", "language": "id", "kyc_status": "rejected"})

    response = agent_client.get(f"/support/customers/{budi.pk}/diagnose/kyc_rejected/")

    reply = response.context["reply"]
    assert response.context["diagnosis"].verdict == "rejected_no_reason"
    assert reply.missing == ["kyc_reason"]
    assert "[[missing: kyc_reason]]" in reply.text
    assert 'id="copy-reply"' in response.content.decode()
    assert "disabled" in response.content.decode().split('id="copy-reply"')[1].split(">")[0]


def test_reply_fill__missing_placeholder__marked_and_listed():
    from apps.support.replies import fill

    text, missing = fill("Hash {tx_hash} for {handle}", {"handle": "@budi", "tx_hash": ""})

    assert missing == ["tx_hash"]
    assert text == "Hash [[missing: tx_hash]] for @budi"


def test_diagnose__unknown_case__404(agent_client, budi):
    assert agent_client.get(f"/support/customers/{budi.pk}/diagnose/nope/").status_code == 404


def test_reply_used__counted(agent_client, agent, budi):
    reply = CannedReply.objects.get(key="refund_failed", language="en")

    response = agent_client.post(f"/support/replies/{reply.pk}/used", {"customer": budi.pk})

    assert response.json()["uses"] == 1
    usage = ReplyUsage.objects.get()
    assert (usage.actor_id, usage.customer_id) == (agent.pk, budi.pk)


def test_replies__support_cannot_edit_lead_can(agent_client, verified_client, lead):
    reply = CannedReply.objects.get(key="refund_failed", language="en")
    data = {"title": "New", "body": "Hi {handle}", "is_active": "on"}

    assert agent_client.post(f"/support/replies/{reply.pk}/edit", data).status_code == 403
    response = verified_client(lead).post(f"/support/replies/{reply.pk}/edit", data)

    assert response.status_code == 302
    reply.refresh_from_db()
    assert (reply.body, reply.updated_by_id) == ("Hi {handle}", lead.pk)


def test_reply_create__unknown_placeholder__field_error(verified_client, lead):
    response = verified_client(lead).post(
        "/support/replies/new",
        {"key": "cannot_post.x", "language": "en", "title": "T", "body": "Hi {nickname}"},
    )

    assert response.status_code == 400
    assert "nickname" in str(response.context["form"].errors["body"])
    assert not CannedReply.objects.filter(key="cannot_post.x").exists()


# --- supervision ---------------------------------------------------------------------------------


def test_lookups_page__counts_by_agent_and_samples(
    agent_client, agent, verified_client, lead, budi
):
    _search(agent_client, "cust-1042")
    agent_client.get(f"/support/customers/{budi.pk}/")
    client = verified_client(lead)

    response = client.get("/support/lookups/", {"days": "7"})
    sample = client.get("/support/lookups/", {"days": "7", "agent": agent.pk, "seed": "1"})

    row = next(r for r in response.context["agents"] if r["actor_id"] == agent.pk)
    assert (row["total"], row["searches"], row["customer_views"]) == (2, 1, 1)
    assert len(sample.context["sample"]) == 2


def test_lookups_page__plain_support__refused(agent_client):
    assert agent_client.get("/support/lookups/").status_code == 403


def test_leads__super_admin_grants__person_gets_lead_permissions(verified_client, make_user):
    person = make_user("support", username="will-lead")
    client = verified_client(make_user("super_admin"))

    client.post(f"/support/leads/{person.pk}", {"lead": "1", "reason": "new team lead"})

    person = type(person).objects.get(pk=person.pk)
    assert person.has_perm("support.reveal_pii")
    assert person.has_perm("support.manage_cannedreply")


def test_search__exact_hit__partial_readings_skipped_unless_asked(agent_client, budi):
    customer("cust-10420", display_name="Other Person")

    exact = _search(agent_client, "cust-1042")
    everything = _search(agent_client, "cust-1042", all="1")

    assert _hit_customers(exact) == ["cust-1042"]
    assert exact.context["result"].partial_skipped is True
    assert 'id="also-partial"' in exact.content.decode()
    assert _hit_customers(everything) == ["cust-1042", "cust-10420"]
