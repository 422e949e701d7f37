"""The support search: one box, every identifier, answered from indexes with a LIMIT.

Each reading of the query (``apps.support.identifiers``) is one indexed query, ordered by
id, ``LIMIT`` page size + 1 and keyset-paginated (``id > last``): never an ``OFFSET``,
never a ``COUNT``. Exact readings use the normalised B-tree columns; prefixes of
addresses and hashes the ``varchar_pattern_ops`` indexes (``LIKE 'abc%'``; on SQLite a
binary range); partial email, handle and name the trigram indexes on PostgreSQL
(``LIKE '%abc%'``; on SQLite a plain scan with the same LIMIT).

Every hit says what matched and why ("EVM address, primary wallet of cust-7 on
ethereum"). Nothing here reveals email or names: hits carry the customer row and the
page or serializer masks it.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from apps.accounts.policy import can
from apps.support.identifiers import Kind, Reading, Recognition, recognise
from apps.support.models import Customer, Round, Transaction, Wallet

VIEW = "support.view_customer"


class CursorInvalid(ValueError):
    """The cursor was not made by this search."""


@dataclass
class Hit:
    """One result: what it is, which reading found it and why."""

    type: str  # customer, wallet, transaction, round
    match: str  # the reading's kind
    why: str
    customer: Customer | None = None
    wallet: Wallet | None = None
    transaction: Transaction | None = None
    round: Round | None = None

    @property
    def key(self) -> tuple:
        target = self.transaction or self.wallet or self.round or self.customer
        return (self.type, target.pk if target is not None else None)


@dataclass
class SearchResult:
    query: str
    recognition: Recognition
    hits: list[Hit] = field(default_factory=list)
    next_cursor: str | None = None
    #: partial and prefix readings not run because an exact one found something
    partial_skipped: bool = False

    @property
    def problems(self) -> list[str]:
        return self.recognition.problems

    @property
    def readings(self) -> list[Reading]:
        return self.recognition.readings


def page_size() -> int:
    return max(1, min(int(getattr(settings, "SUPPORT_SEARCH_LIMIT", 20)), 100))


def encode_cursor(positions: dict[str, int]) -> str | None:
    if not positions:
        return None
    raw = json.dumps(positions, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, int] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise CursorInvalid(_("This page link is not valid; search again.")) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**63
        for k, v in data.items()
    ):
        raise CursorInvalid(_("This page link is not valid; search again."))
    return data


def _prefix(column: str, value: str) -> Q:
    """``column`` starts with ``value``, case-sensitively, from a B-tree."""
    if connection.vendor == "postgresql":
        return Q(**{f"{column}__startswith": value})
    # SQLite's LIKE ignores case; a range in binary order is exact and uses the index.
    upper = value[:-1] + chr(ord(value[-1]) + 1)
    return Q(**{f"{column}__gte": value, f"{column}__lt": upper})


def _customers(reading: Reading) -> Q | None:
    value = reading.value
    if reading.kind == Kind.EMAIL:
        return Q(email_norm=value)
    if reading.kind == Kind.EXTERNAL_ID:
        return Q(external_id=value)
    if reading.kind == Kind.HANDLE:
        return Q(handle_norm=value)
    if reading.kind == Kind.CUSTOMER_NUMBER:
        return Q(pk=int(value))
    if reading.kind in (Kind.TEXT_PARTIAL, Kind.EMAIL_PARTIAL):
        columns = {"email": "email_norm", "handle": "handle_norm", "name": "name_norm"}
        condition = Q(pk__in=[])
        for name in reading.fields:
            condition |= Q(**{f"{columns[name]}__contains": value})
        return condition
    return None


def _customer_why(reading: Reading, customer: Customer) -> str:
    names = {"customer": customer.external_id, "value": reading.value}
    if reading.kind == Kind.EMAIL:
        return _("Email of %(customer)s") % names
    if reading.kind == Kind.EXTERNAL_ID:
        return _("External id %(customer)s") % names
    if reading.kind == Kind.HANDLE:
        return _("Handle @%(value)s of %(customer)s") % names
    if reading.kind == Kind.CUSTOMER_NUMBER:
        return _("Customer number %(value)s: %(customer)s") % names
    matched = []
    if "email" in reading.fields and reading.value in customer.email_norm:
        matched.append(_("email"))
    if "handle" in reading.fields and reading.value in customer.handle_norm:
        matched.append(_("handle"))
    if "name" in reading.fields and reading.value in customer.name_norm:
        matched.append(_("name"))
    return _("%(fields)s contains “%(value)s”: %(customer)s") % {
        **names,
        "fields": ", ".join(str(m) for m in matched).capitalize() or _("Text"),
    }


def _wallet_why(reading: Reading, wallet: Wallet) -> str:
    names = {
        "what": reading.label,
        "customer": wallet.customer.external_id,
        "network": wallet.network,
    }
    if reading.kind == Kind.ADDRESS_PREFIX:
        names["what"] = _("Address starting %(value)s") % {"value": reading.value}
    else:
        names["what"] = str(names["what"])[:1].upper() + str(names["what"])[1:]
    if wallet.is_primary:
        return _("%(what)s, primary wallet of %(customer)s on %(network)s") % names
    return _("%(what)s, wallet of %(customer)s on %(network)s (not primary)") % names


def _transaction_why(reading: Reading, tx: Transaction) -> str:
    names = {
        "network": tx.network,
        "kind": tx.get_kind_display(),
        "status": tx.get_status_display(),
        "customer": tx.customer.external_id if tx.customer_id else _("no customer"),
        "value": reading.value,
    }
    if reading.kind == Kind.HASH_PREFIX:
        return (
            _("Hash starting %(value)s on %(network)s: %(kind)s, %(status)s, %(customer)s") % names
        )
    return _("Transaction on %(network)s: %(kind)s, %(status)s, %(customer)s") % names


def _run(reading: Reading, after: int, limit: int) -> list[Hit]:
    """One reading's hits after id ``after``, at most ``limit`` + 1 of them."""
    kind = reading.kind
    customers_q = _customers(reading)
    if customers_q is not None:
        rows = Customer.objects.filter(customers_q, pk__gt=after).order_by("pk")[: limit + 1]
        return [Hit("customer", kind, _customer_why(reading, c), customer=c) for c in rows]
    if kind in (Kind.EVM_ADDRESS, Kind.SOLANA_ADDRESS, Kind.TRON_ADDRESS, Kind.ADDRESS_PREFIX):
        condition = (
            _prefix("address_norm", reading.value)
            if kind == Kind.ADDRESS_PREFIX
            else Q(address_norm=reading.value)
        )
        rows = (
            Wallet.objects.filter(condition, pk__gt=after)
            .select_related("customer")
            .order_by("pk")[: limit + 1]
        )
        return [
            Hit("wallet", kind, _wallet_why(reading, w), customer=w.customer, wallet=w)
            for w in rows
        ]
    if kind in (Kind.TX_HASH, Kind.HASH_PREFIX):
        transactions = Transaction.objects.select_related("customer").order_by("pk")
        if kind == Kind.TX_HASH:
            rows = list(
                transactions.filter(tx_hash__in=list(reading.values), pk__gt=after)[: limit + 1]
            )
        else:
            # One query per spelling of the prefix, merged here: PostgreSQL plans an OR of
            # two LIKEs under ORDER BY id LIMIT as a walk of the whole table in id order,
            # while each LIKE alone is a range of the pattern index.
            found: dict[int, Transaction] = {}
            for value in reading.values:
                for row in transactions.filter(_prefix("tx_hash", value), pk__gt=after)[
                    : limit + 1
                ]:
                    found[row.pk] = row
            rows = [found[pk] for pk in sorted(found)][: limit + 1]
        return [
            Hit(
                "transaction",
                kind,
                _transaction_why(reading, t),
                customer=t.customer,
                transaction=t,
            )
            for t in rows
        ]
    if kind == Kind.ROUND_ID:
        rows = Round.objects.filter(round_id=int(reading.value), pk__gt=after).order_by("pk")[
            : limit + 1
        ]
        return [
            Hit(
                "round",
                kind,
                _("Round %(id)s: %(project)s (%(status)s, %(result)s)")
                % {
                    "id": r.round_id,
                    "project": r.project_name or r.project_ref,
                    "status": r.get_status_display(),
                    "result": r.get_result_display(),
                },
                round=r,
            )
            for r in rows
        ]
    return []


def search(
    *, user, query: str, cursor: str | None = None, include_partial: bool = False
) -> SearchResult:
    """Every hit of ``query`` the user may see (none without ``support.view_customer``).

    Exact readings run first; partial and prefix readings run only when no exact reading
    found anything, or when ``include_partial`` asks for them (``partial_skipped`` says
    they were left out): a pasted external id answers with its customer at once instead
    of also scanning the trigram index for every name containing it.

    ``cursor`` (from a previous answer's ``next_cursor``) continues the readings that had
    more hits than one page; raises ``CursorInvalid`` for a cursor not made here.
    """
    recognition = recognise(query)
    result = SearchResult(query=recognition.query, recognition=recognition)
    if not can(user, VIEW):
        return result
    positions = decode_cursor(cursor)
    limit = page_size()
    seen: set[tuple] = set()
    more: dict[str, int] = {}
    exact_found = False
    for reading in sorted(recognition.readings, key=lambda r: not r.exact):
        if positions is not None and reading.kind not in positions:
            continue
        if not reading.exact and exact_found and positions is None and not include_partial:
            result.partial_skipped = True
            continue
        after = positions.get(reading.kind, 0) if positions else 0
        hits = _run(reading, after, limit)
        if len(hits) > limit:
            hits = hits[:limit]
            last = hits[-1]
            more[reading.kind] = (last.transaction or last.wallet or last.round or last.customer).pk
        for hit in hits:
            # A customer found exactly is not listed again by a partial reading.
            keys = {hit.key}
            if hit.customer is not None and hit.type == "customer":
                keys.add(("customer", hit.customer.pk))
            if keys & seen:
                continue
            seen |= keys
            result.hits.append(hit)
            exact_found = exact_found or reading.exact
    result.next_cursor = encode_cursor(more)
    return result
