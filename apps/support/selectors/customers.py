"""Everything about one customer (the customer page) and one transaction.

A fixed number of queries whatever the customer's history: the newest rows of each list
with a LIMIT (keyset pages for the rest), the rounds and transactions those rows name in
one query each, and the flag decisions from the in-process evaluation at one version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from apps.accounts.policy import can
from apps.approvals.models import ChangeRequest
from apps.seedconfig.models import Asset
from apps.support.models import Claim, Customer, Refund, Round, Transaction, TxStatus, Wallet
from apps.support.selectors.flags import FlagCheck, flag_checks, user_states
from apps.support.selectors.incidents import open_incidents_for_actions

VIEW = "support.view_customer"
RECENT = 50
#: The platform actions a customer uses (the flags that guard them).
CUSTOMER_ACTIONS = (
    "contribute",
    "claim",
    "refund",
    "payout",
    "feed.post",
    "ama.join_token",
    "project.submit",
)


def stuck_after() -> timedelta:
    return timedelta(minutes=settings.SUPPORT_STUCK_AFTER_MINUTES)


@dataclass
class TxRow:
    tx: Transaction
    stuck: bool
    age: timedelta


@dataclass
class CustomerOverview:
    customer: Customer
    now: datetime
    wallets: list[Wallet] = field(default_factory=list)
    transactions: list[TxRow] = field(default_factory=list)
    more_transactions: bool = False
    claims: list[Claim] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    rounds: dict[int, Round] = field(default_factory=dict)
    linked_transactions: dict[tuple[str, str], Transaction] = field(default_factory=dict)
    referrer: Customer | None = None
    checks: list[FlagCheck] = field(default_factory=list)
    user_states: list = field(default_factory=list)
    pending_requests: list[ChangeRequest] = field(default_factory=list)
    incidents: list = field(default_factory=list)
    decimals: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def primary_wallets(self) -> dict[str, Wallet]:
        return {w.network: w for w in self.wallets if w.is_primary}

    @property
    def stuck_count(self) -> int:
        return sum(1 for row in self.transactions if row.stuck)

    @property
    def blocked_checks(self) -> list[FlagCheck]:
        return [check for check in self.checks if not check.allowed]

    def transaction_for(self, item) -> Transaction | None:
        if not item.tx_hash:
            return None
        return self.linked_transactions.get((item.network, item.tx_hash))

    def round_for(self, round_ref) -> Round | None:
        return self.rounds.get(round_ref) if round_ref else None


def customer_get(*, user, pk) -> Customer | None:
    """The customer (None when unknown or the user may not look customers up)."""
    if not can(user, VIEW):
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Customer.objects.filter(pk=pk).first()


def tx_rows(transactions, now) -> list[TxRow]:
    limit = stuck_after()
    return [
        TxRow(tx=tx, stuck=tx.is_stuck(now, limit), age=now - tx.submitted_at)
        for tx in transactions
    ]


def asset_decimals() -> dict[tuple[str, str], int]:
    """(network key, symbol) -> decimals, from the seed configuration (one query)."""
    return {
        (network, symbol.upper()): decimals
        for network, symbol, decimals in Asset.objects.values_list(
            "network__key", "symbol", "decimals"
        )
    }


def customer_overview(*, customer: Customer, now=None) -> CustomerOverview:
    """The customer page's data (the caller checked the viewer with ``customer_get``)."""
    now = now or timezone.now()
    view = CustomerOverview(customer=customer, now=now)
    view.wallets = list(Wallet.objects.filter(customer=customer).order_by("network", "-is_primary"))
    recent = list(
        Transaction.objects.filter(customer=customer).order_by("-submitted_at", "-id")[: RECENT + 1]
    )
    view.more_transactions = len(recent) > RECENT
    for tx in recent:
        tx.customer = customer  # known: no query per row when a row names its customer
    view.transactions = tx_rows(recent[:RECENT], now)
    view.claims = list(Claim.objects.filter(customer=customer).order_by("-id")[:RECENT])
    view.refunds = list(Refund.objects.filter(customer=customer).order_by("-id")[:RECENT])

    round_refs = {
        item.round_ref
        for item in [*view.claims, *view.refunds, *(row.tx for row in view.transactions)]
        if item.round_ref
    }
    view.rounds = {r.round_id: r for r in Round.objects.filter(round_id__in=sorted(round_refs))}
    linked = Q(pk__in=[])
    for item in [*view.claims, *view.refunds]:
        if item.tx_hash:
            linked |= Q(network=item.network, tx_hash=item.tx_hash)
    view.linked_transactions = {
        (tx.network, tx.tx_hash): tx for tx in Transaction.objects.filter(linked)
    }
    view.referrer = (
        Customer.objects.filter(external_id=customer.referrer_external_id).first()
        if customer.referrer_external_id
        else None
    )
    networks = sorted({w.network for w in view.wallets})
    rounds_used = sorted(round_refs)[:10]
    view.checks = flag_checks(customer=customer, networks=networks, rounds=rounds_used, now=now)
    view.user_states = user_states(customer=customer, now=now)
    view.pending_requests = pending_unblock_requests(customer=customer)
    view.incidents = open_incidents_for_actions(user=None, actions=CUSTOMER_ACTIONS)
    view.decimals = asset_decimals()
    return view


def pending_unblock_requests(*, customer: Customer) -> list[ChangeRequest]:
    """Pending change requests to turn a flag back on for this customer (any flag)."""
    return list(
        ChangeRequest.objects.pending()
        .filter(target__startswith="flags.state:", target__endswith=f":user:{customer.external_id}")
        .select_related("requester")
        .order_by("-created_at")
    )


def customer_transactions(*, customer: Customer, before: tuple | None = None, limit: int = 50):
    """A keyset page of the customer's transactions, newest first.

    ``before`` is the (submitted_at, id) of the last row of the previous page. Returns
    (rows, next position or None).
    """
    rows = Transaction.objects.filter(customer=customer)
    if before is not None:
        moment, last_id = before
        rows = rows.filter(Q(submitted_at__lt=moment) | Q(submitted_at=moment, id__lt=last_id))
    rows = list(rows.order_by("-submitted_at", "-id")[: limit + 1])
    for tx in rows:
        tx.customer = customer
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        following = (rows[-1].submitted_at, rows[-1].pk)
    return rows, following


@dataclass
class TransactionDetail:
    tx: Transaction
    now: datetime
    stuck: bool
    customer: Customer | None
    round: Round | None
    claims: list[Claim]
    refunds: list[Refund]
    same_hash: list[Transaction]
    decimals: dict[tuple[str, str], int]


def transaction_get(*, user, pk) -> Transaction | None:
    if not can(user, VIEW):
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Transaction.objects.select_related("customer").filter(pk=pk).first()


def transaction_detail(*, tx: Transaction, now=None) -> TransactionDetail:
    now = now or timezone.now()
    return TransactionDetail(
        tx=tx,
        now=now,
        stuck=tx.is_stuck(now, stuck_after()),
        customer=tx.customer,
        round=Round.objects.filter(round_id=tx.round_ref).first() if tx.round_ref else None,
        claims=list(Claim.objects.filter(network=tx.network, tx_hash=tx.tx_hash)[:20]),
        refunds=list(Refund.objects.filter(network=tx.network, tx_hash=tx.tx_hash)[:20]),
        same_hash=list(
            Transaction.objects.filter(tx_hash=tx.tx_hash).exclude(pk=tx.pk).order_by("pk")[:20]
        ),
        decimals=asset_decimals(),
    )


def is_pending(tx: Transaction) -> bool:
    return tx.status == TxStatus.PENDING
