"""Realistic generated platform data, for the demo, the benchmark and load tests.

``FakePlatform(customers=N, seed=…)`` yields records in the ingestion format (the same
fields ``POST /v1/support/ingest/<entity>`` takes), entity by entity in load order:
rounds, customers, wallets, transactions, claims, refunds and fee events. Addresses and
hashes are valid for their network (EIP-55 for EVM, base58 32-byte keys for Solana,
base58check for Tron); a share of transactions is pending (half of them stuck), failed
or dropped; rejected KYC, expired blue checks, customers without referrals and failed
rounds with refunds occur at realistic rates, and ``SHOWCASE`` customers make every top
case of the support playbook reproducible by name.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import base58

from apps.seedconfig.addresses import evm_checksum, tron_address_from_bytes

FIRST_NAMES = (
    "Budi Siti Agus Dewi Rizky Putri Andi Wulan Ahmad Nur Ivan Olga Dmitri Anna Sergei "
    "Elena Maria John Emma Liam Sofia Noah Ayu Fajar Indah Yusuf Tatiana Pavel Irina Rina"
).split()
LAST_NAMES = (
    "Santoso Wijaya Pratama Saputra Hidayat Kusuma Lestari Nugroho Ivanov Petrova Smirnov "
    "Kuznetsova Popov Sokolova Smith Johnson Brown Garcia Miller Davis Halim Gunawan Setiawan"
).split()
PROJECT_SUFFIXES = ("DAO", "Labs", "Finance", "Protocol", "Games")
DOMAINS = ("gmail.com", "yahoo.co.id", "mail.ru", "outlook.com", "yandex.ru", "proton.me")
KYC_REASONS = (
    "Document photo is blurry",
    "Document expired",
    "Name does not match the document",
    "Selfie does not match the document",
    "Unsupported document type",
)
TX_FAILURES = ("out of gas", "nonce too low", "insufficient treasury balance", "RPC timeout")
NETWORKS = {
    "ethereum": ("evm", ("USDT", "USDC", "ETH")),
    "bsc": ("evm", ("USDT", "BNB")),
    "polygon": ("evm", ("USDC", "MATIC")),
    "solana": ("solana", ("USDC", "SOL")),
    "tron": ("tron", ("USDT",)),
}
KIND_WEIGHTS = (
    ("contribute", 50),
    ("claim", 20),
    ("bluecheck", 10),
    ("refund", 8),
    ("payout", 7),
    ("fee", 5),
)
#: Named customers, one per top case outcome, for the demo and for trying each diagnostic.
SHOWCASE = (
    "case-refund-failed",
    "case-refund-no-wallet",
    "case-vesting-pending",
    "case-cannot-post",
    "case-referral-no-active",
    "case-referral-frozen",
    "case-kyc-rejected",
    "case-wrong-wallet",
)


@dataclass
class Counts:
    rounds: int = 0
    customers: int = 0
    wallets: int = 0
    transactions: int = 0
    claims: int = 0
    refunds: int = 0
    fee_events: int = 0


class FakePlatform:
    def __init__(
        self,
        *,
        customers: int,
        wallets_per_customer: float = 2.0,
        transactions_per_customer: float = 10.0,
        seed: int = 1,
        networks: dict[str, str] | None = None,
        now: datetime | None = None,
        first_number: int = 1000,
        showcase: bool = True,
        exact_totals: bool = False,
    ):
        self.customers = customers
        self.wallets_per_customer = wallets_per_customer
        self.transactions_per_customer = transactions_per_customer
        self.seed = seed
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        self.first_number = first_number
        self.showcase = showcase
        # Benchmarks ask for exact totals: counts then vary by a fixed pattern whose mean
        # is the asked-for average, instead of by random draws.
        self.exact_totals = exact_totals
        known = networks or {key: kind for key, (kind, _a) in NETWORKS.items()}
        self.networks = [key for key in NETWORKS if key in known and known[key] == NETWORKS[key][0]]
        if not self.networks:
            raise ValueError("No usable network configured (ethereum, bsc, polygon, solana, tron).")
        self.round_count = max(20, customers // 50)
        self.counts = Counts()

    # --- identifiers ----------------------------------------------------------------------
    def _bytes(self, rng: random.Random, size: int) -> bytes:
        return rng.getrandbits(size * 8).to_bytes(size, "big")

    def address(self, rng, network: str) -> str:
        kind = NETWORKS[network][0]
        if kind == "evm":
            return evm_checksum("0x" + self._bytes(rng, 20).hex())
        if kind == "solana":
            return base58.b58encode(self._bytes(rng, 32)).decode()
        return tron_address_from_bytes(self._bytes(rng, 20))

    def tx_hash(self, rng, network: str) -> str:
        kind = NETWORKS[network][0]
        if kind == "evm":
            return "0x" + self._bytes(rng, 32).hex()
        if kind == "tron":
            return self._bytes(rng, 32).hex()
        return base58.b58encode(self._bytes(rng, 64)).decode()

    def external_id(self, number: int) -> str:
        return f"cust-{number}"

    def _iso(self, moment: datetime) -> str:
        return moment.isoformat().replace("+00:00", "Z")

    def _rng(self, *parts) -> random.Random:
        digest = hashlib.sha256(":".join(map(str, (self.seed, *parts))).encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 (test data)

    # --- entities -------------------------------------------------------------------------
    def rounds(self) -> Iterator[dict]:
        rng = self._rng("rounds")
        for number in range(1, self.round_count + 1):
            network = self.round_network(number)
            failed = self.round_failed(number)
            status = "cancelled" if failed and rng.random() < 0.5 else "finalized"
            if not failed and rng.random() < 0.2:
                status = "live"
            self.counts.rounds += 1
            yield {
                "round_id": number,
                "project_id": f"prj-{number}",
                "project_name": f"{rng.choice(LAST_NAMES)} {rng.choice(PROJECT_SUFFIXES)}",
                "network": network,
                "asset": NETWORKS[network][1][0],
                "status": status,
                "result": "failed" if failed else ("pending" if status == "live" else "success"),
                "soft_cap": str(rng.randint(50, 200) * 10**9),
                "hard_cap": str(rng.randint(300, 900) * 10**9),
                "total_raised": str(rng.randint(10, 800) * 10**9),
                "contributor_count": rng.randint(10, 5000),
                "starts_at": self._iso(self.now - timedelta(days=rng.randint(5, 60))),
                "ends_at": self._iso(self.now - timedelta(days=rng.randint(0, 4))),
            }

    def round_network(self, round_id: int) -> str:
        return self.networks[(round_id * 7) % len(self.networks)]

    def round_failed(self, round_id: int) -> bool:
        return round_id in (7, 13) or self._rng("round-failed", round_id).random() < 0.15

    def _numbers(self) -> Iterator[tuple[int, str]]:
        for index in range(self.customers):
            yield index, self.external_id(self.first_number + index)
        if self.showcase:
            for offset, name in enumerate(SHOWCASE):
                yield self.customers + offset, name

    def customer_records(self) -> Iterator[dict]:
        for index, external_id in self._numbers():
            rng = self._rng("customer", index)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            roll = rng.random()
            kyc = (
                "approved"
                if roll < 0.7
                else "pending"
                if roll < 0.8
                else "rejected"
                if roll < 0.9
                else "not_started"
            )
            blue = rng.random()
            bluecheck = (
                "active"
                if blue < 0.4
                else "expired"
                if blue < 0.5
                else "revoked"
                if blue < 0.52
                else "none"
            )
            expires = None
            if bluecheck == "active":
                expires = self.now + timedelta(days=rng.randint(1, 365))
            elif bluecheck == "expired":
                expires = self.now - timedelta(days=rng.randint(1, 90))
            record = {
                "external_id": external_id,
                "email": f"{first}.{last}{index}@{rng.choice(DOMAINS)}",
                "handle": f"{first.lower()}_{last.lower()}{index}",
                "display_name": f"{first} {last}",
                "language": rng.choices(("id", "en", "ru"), (5, 3, 2))[0],
                "created_at": self._iso(self.now - timedelta(days=rng.randint(1, 400))),
                "kyc_status": kyc,
                "kyc_rejection_reason": rng.choice(KYC_REASONS) if kyc == "rejected" else "",
                "bluecheck_status": bluecheck,
                "bluecheck_expires_at": self._iso(expires) if expires else None,
                "referrer": self.external_id(self.first_number + rng.randrange(index))
                if index and rng.random() < 0.3
                else "",
                "active_referral_count": rng.choice((0, 0, 0, 1, 2, 3, 5, 8)),
                "banned": rng.random() < 0.005,
            }
            record.update(_showcase_customer(external_id, self.now, self._iso))
            self.counts.customers += 1
            yield record

    def _customer_networks(self, index: int, external_id: str) -> list[str]:
        rng = self._rng("wallets", index)
        if self.exact_totals:
            average = self.wallets_per_customer
            spread = (-1, 0, 1) if average >= 2 else (0,)
            count = max(1, min(len(self.networks), round(average) + spread[index % len(spread)]))
        else:
            count = max(
                1, min(len(self.networks), round(rng.expovariate(1 / self.wallets_per_customer)))
            )
        chosen = rng.sample(self.networks, count)
        if external_id == "case-refund-no-wallet":
            return [n for n in self.networks if n != self.round_network(7)][:1]
        if external_id in SHOWCASE:
            return list(self.networks)
        return chosen

    def wallet_records(self) -> Iterator[dict]:
        for index, external_id in self._numbers():
            rng = self._rng("wallet-addresses", index)
            for network in self._customer_networks(index, external_id):
                self.counts.wallets += 1
                yield {
                    "customer": external_id,
                    "network": network,
                    "address": self.address(rng, network),
                    "primary": True,
                    "linked_at": self._iso(self.now - timedelta(days=rng.randint(1, 300))),
                }
                if not self.exact_totals and rng.random() < 0.1:  # a second, non-primary one
                    self.counts.wallets += 1
                    yield {
                        "customer": external_id,
                        "network": network,
                        "address": self.address(rng, network),
                        "primary": False,
                        "linked_at": self._iso(self.now - timedelta(days=rng.randint(1, 300))),
                    }

    def transaction_records(self, *, history: dict | None = None) -> Iterator[dict]:
        """Transactions; ``history`` (if given) collects per customer what claims and
        refunds need: {external_id: [(kind, network, hash, status, round), …]}."""
        kinds = [k for k, _w in KIND_WEIGHTS]
        weights = [w for _k, w in KIND_WEIGHTS]
        for index, external_id in self._numbers():
            rng = self._rng("tx", index)
            networks = self._customer_networks(index, external_id)
            if external_id in SHOWCASE or not self.transactions_per_customer:
                count = 0
            elif self.exact_totals:
                share = (0.2, 0.6, 1.0, 1.4, 1.8)[index % 5]
                count = round(self.transactions_per_customer * share)
            else:
                count = int(rng.expovariate(1 / self.transactions_per_customer))
            plan = [(rng.choices(kinds, weights)[0], None, None) for _n in range(count)]
            plan += _showcase_transactions(external_id)
            for kind, forced_status, forced_round in plan:
                network = self.round_network(forced_round) if forced_round else rng.choice(networks)
                asset = rng.choice(NETWORKS[network][1])
                roll = rng.random()
                status = forced_status or (
                    "confirmed"
                    if roll < 0.90
                    else "pending"
                    if roll < 0.94
                    else "failed"
                    if roll < 0.98
                    else "dropped"
                )
                if status == "pending":
                    age = timedelta(minutes=rng.choice((2, 5, 9, 20, 45, 180)))
                else:
                    age = timedelta(minutes=rng.randint(20, 60 * 24 * 60))
                submitted = self.now - age
                round_id = forced_round or (
                    rng.randint(1, self.round_count)
                    if kind in ("contribute", "refund", "claim")
                    else None
                )
                tx_hash = self.tx_hash(rng, network)
                record = {
                    "network": network,
                    "hash": tx_hash,
                    "kind": kind,
                    "status": status,
                    "amount": str(rng.randint(1, 5000) * 10**6),
                    "asset": asset,
                    "round": round_id,
                    "customer": external_id,
                    "submitted_at": self._iso(submitted),
                    "confirmed_at": self._iso(submitted + timedelta(seconds=rng.randint(5, 300)))
                    if status == "confirmed"
                    else None,
                    "failure_reason": rng.choice(TX_FAILURES)
                    if status in ("failed", "dropped")
                    else "",
                    "attempts": 1 if status != "failed" else rng.randint(1, 4),
                }
                if history is not None and kind in ("claim", "refund", "contribute"):
                    history.setdefault(external_id, []).append(
                        (kind, network, tx_hash, status, round_id)
                    )
                self.counts.transactions += 1
                yield record

    def claim_and_refund_records(self, history: dict) -> tuple[list[dict], list[dict]]:
        claims, refunds = [], []
        for index, external_id in self._numbers():
            rng = self._rng("claims", index)
            items = history.get(external_id, [])
            for number, (kind, network, tx_hash, status, round_id) in enumerate(items):
                if kind == "claim":
                    claim_status = {"confirmed": "completed", "pending": "pending"}.get(
                        status, "failed"
                    )
                    claims.append(
                        {
                            "claim_id": f"clm-{external_id}-{number}",
                            "customer": external_id,
                            "claim_type": rng.choices(("vesting", "referral", "sbt"), (6, 3, 1))[0]
                            if external_id not in ("case-vesting-pending",)
                            else "vesting",
                            "round": round_id,
                            "network": network,
                            "amount": str(rng.randint(1, 900) * 10**6),
                            "asset": NETWORKS[network][1][0],
                            "status": claim_status,
                            "failure_reason": "transaction failed"
                            if claim_status == "failed"
                            else "",
                            "hash": tx_hash,
                            "created_at": self._iso(self.now - timedelta(days=rng.randint(0, 30))),
                        }
                    )
                elif kind == "refund":
                    refund_status = {"confirmed": "completed", "pending": "pending"}.get(
                        status, "failed"
                    )
                    refunds.append(
                        {
                            "refund_id": f"rfd-{external_id}-{number}",
                            "customer": external_id,
                            "round": round_id or 7,
                            "network": network,
                            "amount": str(rng.randint(1, 900) * 10**6),
                            "asset": NETWORKS[network][1][0],
                            "status": refund_status,
                            "failure_reason": "transaction failed"
                            if refund_status == "failed"
                            else "",
                            "hash": tx_hash,
                            "created_at": self._iso(self.now - timedelta(days=rng.randint(0, 30))),
                        }
                    )
            if rng.random() < 0.15 and external_id not in SHOWCASE:
                claims.append(
                    {
                        "claim_id": f"clm-{external_id}-locked",
                        "customer": external_id,
                        "claim_type": "vesting",
                        "round": rng.randint(1, self.round_count),
                        "network": self.networks[0],
                        "amount": str(rng.randint(1, 900) * 10**6),
                        "asset": NETWORKS[self.networks[0]][1][0],
                        "status": rng.choice(("locked", "claimable")),
                        "created_at": self._iso(self.now - timedelta(days=rng.randint(0, 30))),
                    }
                )
            if external_id == "case-refund-no-wallet":
                refunds.append(
                    {
                        "refund_id": f"rfd-{external_id}-owed",
                        "customer": external_id,
                        "round": 7,
                        "network": self.round_network(7),
                        "amount": "25000000",
                        "asset": NETWORKS[self.round_network(7)][1][0],
                        "status": "owed",
                        "created_at": self._iso(self.now - timedelta(days=1)),
                    }
                )
        self.counts.claims += len(claims)
        self.counts.refunds += len(refunds)
        return claims, refunds

    def fee_event_records(self, limit: int | None = None) -> Iterator[dict]:
        rng = self._rng("fees")
        total = limit if limit is not None else max(10, self.customers // 10)
        for number in range(total):
            network = rng.choice(self.networks)
            amount = rng.randint(1, 500) * 10**6
            treasury = amount * 7 // 10
            self.counts.fee_events += 1
            yield {
                "event_id": f"fee-{number}",
                "kind": rng.choice(("presale_success_fee", "bonding_swap_fee", "blue_check_fee")),
                "network": network,
                "round": rng.randint(1, self.round_count),
                "customer": self.external_id(
                    self.first_number + rng.randrange(max(1, self.customers))
                ),
                "amount": str(amount),
                "asset": NETWORKS[network][1][0],
                "splits": {"treasury": str(treasury), "referral": str(amount - treasury)},
                "fee_rule_version": 1,
                "occurred_at": self._iso(self.now - timedelta(hours=rng.randint(1, 24 * 30))),
            }


def _showcase_customer(external_id: str, now: datetime, iso) -> dict:
    future = iso(now + timedelta(days=90))
    return {
        "case-refund-failed": {"bluecheck_status": "active", "bluecheck_expires_at": future},
        "case-refund-no-wallet": {},
        "case-vesting-pending": {"kyc_status": "approved", "kyc_rejection_reason": ""},
        "case-cannot-post": {
            "bluecheck_status": "expired",
            "bluecheck_expires_at": iso(now - timedelta(days=3)),
            "banned": False,
        },
        "case-referral-no-active": {
            "bluecheck_status": "active",
            "bluecheck_expires_at": future,
            "active_referral_count": 0,
            "banned": False,
        },
        "case-referral-frozen": {
            "bluecheck_status": "active",
            "bluecheck_expires_at": future,
            "active_referral_count": 4,
            "banned": False,
        },
        "case-kyc-rejected": {
            "kyc_status": "rejected",
            "kyc_rejection_reason": "Document expired",
            "banned": False,
        },
        "case-wrong-wallet": {"banned": False},
        "cust-1042": {
            "bluecheck_status": "active",
            "bluecheck_expires_at": future,
            "active_referral_count": 6,
            "banned": False,
        },
    }.get(external_id, {})


def _showcase_transactions(external_id: str) -> list[tuple]:
    return {
        "case-refund-failed": [("refund", "failed", 7)],
        "case-vesting-pending": [("claim", "pending", 3)],
        "case-wrong-wallet": [("payout", "pending", None)],
    }.get(external_id, [])
