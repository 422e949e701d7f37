"""Role-matrix entries of the support app (see tests/matrix.py): every /v1/support route
and every support page.

Looking customers up (search, customer, transaction, diagnostics, replies to copy) is
support, ops, finance, incident commanders and super admins; reviewers have no access.
Ingestion is tokens with ``support:ingest`` only. Revealing PII, editing replies and the
lookups page are support leads' (super admins hold them by role). Support actions need
``flags.set_user_scope`` (support, ops, super admins); making support leads needs
``accounts.assign_role`` (super admins).
"""

from __future__ import annotations

from apps.accounts.roles import FINANCE, INCIDENT_COMMANDER, OPS, SUPER_ADMIN, SUPPORT
from tests.matrix import Entry

READERS = {SUPPORT, OPS, FINANCE, INCIDENT_COMMANDER, SUPER_ADMIN}
LEADS = {SUPER_ADMIN}
ACTORS = {SUPPORT, OPS, SUPER_ADMIN}


def _customer(ctx):
    def make():
        from tests.support.factories import customer, ensure_networks

        ensure_networks()
        return customer(ctx.unique("matrix-cust"), language="id")

    return ctx.get("customer", make)


def _transaction(ctx):
    def make():
        from apps.support.models import Transaction
        from tests.support.factories import transaction

        record = transaction(_customer(ctx))
        return Transaction.objects.get(tx_hash=record["hash"])

    return ctx.get("transaction", make)


def _reply(ctx):
    from apps.support.models import CannedReply

    return ctx.get("reply", lambda: CannedReply.objects.get(key="refund_failed", language="en"))


def _support_person(ctx):
    from tests.factories import UserFactory

    return ctx.get("support_person", lambda: UserFactory(roles=[SUPPORT]))


def _ingest_body(ctx):
    from tests.support.factories import ensure_networks

    ensure_networks()
    return {"records": [{"external_id": ctx.unique("ingest"), "language": "en"}]}


ENTRIES = [
    # --- /v1/support ---------------------------------------------------------------------
    Entry(
        "support.api.ingest",
        "POST",
        "/v1/support/ingest/customers",
        scopes={"support:ingest"},
        data=_ingest_body,
    ),
    Entry("support.api.search", "GET", "/v1/support/search?q=cust-1", roles=READERS),
    Entry(
        "support.api.customer",
        "GET",
        lambda ctx: f"/v1/support/customers/{_customer(ctx).pk}",
        roles=READERS,
    ),
    Entry(
        "support.api.customer_transactions",
        "GET",
        lambda ctx: f"/v1/support/customers/{_customer(ctx).pk}/transactions",
        roles=READERS,
    ),
    Entry(
        "support.api.reveal",
        "POST",
        lambda ctx: f"/v1/support/customers/{_customer(ctx).pk}/reveal",
        roles=LEADS,
        data={"reason_code": "identity_check", "ticket": "ZD-1"},
    ),
    Entry(
        "support.api.diagnostic",
        "GET",
        lambda ctx: f"/v1/support/customers/{_customer(ctx).pk}/diagnostics/cannot_post",
        roles=READERS,
    ),
    Entry(
        "support.api.action",
        "POST",
        lambda ctx: f"/v1/support/customers/{_customer(ctx).pk}/actions/block_posting",
        roles=ACTORS,
        data={"reason": "matrix", "ticket": "ZD-1"},
    ),
    Entry(
        "support.api.transaction",
        "GET",
        lambda ctx: f"/v1/support/transactions/{_transaction(ctx).pk}",
        roles=READERS,
    ),
    Entry("support.api.replies", "GET", "/v1/support/replies", roles=READERS),
    Entry(
        "support.api.replies_create",
        "POST",
        "/v1/support/replies",
        roles=LEADS,
        data=lambda ctx: {
            "key": f"cannot_post.{ctx.unique('m').replace('-', '_')}",
            "language": "en",
            "title": "Matrix",
            "body": "Hi {handle}",
        },
    ),
    Entry(
        "support.api.reply_update",
        "PATCH",
        lambda ctx: f"/v1/support/replies/{_reply(ctx).pk}",
        roles=LEADS,
        data={"title": "Refund", "body": "Hi {handle}", "is_active": True},
    ),
    Entry(
        "support.api.reply_used",
        "POST",
        lambda ctx: f"/v1/support/replies/{_reply(ctx).pk}/used",
        roles=READERS,
        data={},
    ),
    # --- pages ---------------------------------------------------------------------------
    Entry("support.page.search", "GET", "/support/?q=cust-1", roles=READERS),
    Entry(
        "support.page.customer",
        "GET",
        lambda ctx: f"/support/customers/{_customer(ctx).pk}/",
        roles=READERS,
    ),
    Entry(
        "support.page.customer_transactions",
        "GET",
        lambda ctx: f"/support/customers/{_customer(ctx).pk}/transactions/",
        roles=READERS,
    ),
    Entry(
        "support.page.reveal",
        "GET",
        lambda ctx: f"/support/customers/{_customer(ctx).pk}/reveal",
        roles=LEADS,
    ),
    Entry(
        "support.page.action",
        "POST",
        lambda ctx: f"/support/customers/{_customer(ctx).pk}/actions/block_posting",
        roles=ACTORS,
        data={"reason": "matrix", "ticket": "ZD-1"},
    ),
    Entry(
        "support.page.diagnose",
        "GET",
        lambda ctx: f"/support/customers/{_customer(ctx).pk}/diagnose/refund_failed/",
        roles=READERS,
    ),
    Entry(
        "support.page.transaction",
        "GET",
        lambda ctx: f"/support/transactions/{_transaction(ctx).pk}/",
        roles=READERS,
    ),
    Entry("support.page.replies", "GET", "/support/replies/", roles=READERS),
    Entry("support.page.reply_create", "GET", "/support/replies/new", roles=LEADS),
    Entry(
        "support.page.reply_edit",
        "GET",
        lambda ctx: f"/support/replies/{_reply(ctx).pk}/edit",
        roles=LEADS,
    ),
    Entry(
        "support.page.reply_used",
        "POST",
        lambda ctx: f"/support/replies/{_reply(ctx).pk}/used",
        roles=READERS,
        data={},
    ),
    Entry("support.page.lookups", "GET", "/support/lookups/", roles=LEADS),
    Entry("support.page.leads", "GET", "/support/leads/", roles={SUPER_ADMIN}),
    Entry(
        "support.page.lead_set",
        "POST",
        lambda ctx: f"/support/leads/{_support_person(ctx).pk}",
        roles={SUPER_ADMIN},
        data={"lead": "1", "reason": "matrix"},
    ),
]
