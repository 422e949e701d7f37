"""Benchmark data: a super admin, service-account tokens, flags with scoped states, waffle flags.

Run by the harness with the benchmark's environment (production settings, its own
database), after ``migrate``::

    python -m bench.data --token flags:read --flags 50 --states 10000 --waffle-flags 50

Prints one JSON line: the token plaintexts (in the order asked), the flags (key, kind,
accepted scopes) and the contexts the load generator should ask about.

People, service accounts and tokens go through the accounts services, as an operator
would make them. Flags beyond the runbook's (which the flags data migration creates) and
their 10,000 states are bulk-inserted: the point is the size of the data the evaluation
reads, not the speed of the write path.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
from datetime import timedelta

import django

SEED = 4
ROUNDS = 500
PLATFORM_USERS = 5000
# Every scope a context can name (ScopeKind minus global).
ALL_CONTEXT_SCOPES = ["round", "claim_type", "network", "user", "project"]
CLAIM_TYPES = ["vesting", "referral", "sbt"]
NETWORKS = ["ethereum", "bsc", "polygon", "arbitrum", "base", "solana"]
PROJECTS = 300


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--token",
        action="append",
        default=[],
        metavar="SCOPES",
        help="create a service-account token with these comma-separated scopes (repeatable)",
    )
    parser.add_argument(
        "--flags", type=int, default=0, help="total flags wanted (runbook + synthetic)"
    )
    parser.add_argument("--states", type=int, default=0, help="scoped states to insert")
    parser.add_argument("--waffle-flags", type=int, default=0, help="django-waffle flags to create")
    parser.add_argument("--seed", type=int, default=SEED)
    return parser.parse_args(argv)


def make_admin():
    from apps.approvals.bootstrap import super_admin_bootstrap

    return super_admin_bootstrap(
        username="bench-admin",
        email="bench-admin@example.com",
        password=secrets.token_urlsafe(24),
    )


def make_tokens(admin, wanted: list[str]) -> list[str]:
    """One service account per token, made through the accounts services."""
    from apps.accounts.services.tokens import service_account_create, token_create

    plaintexts = []
    for number, scopes in enumerate(wanted, start=1):
        account = service_account_create(
            actor=admin, username=f"bench-service-{number}", description="benchmark load client"
        )
        _token, plaintext = token_create(
            actor=admin,
            service_account=account,
            name=f"bench {scopes}",
            scopes=[scope.strip() for scope in scopes.split(",") if scope.strip()],
            allowed_ips=["127.0.0.1/32"],
        )
        plaintexts.append(plaintext)
    return plaintexts


def make_waffle_flags(count: int, rng: random.Random) -> list[str]:
    """``count`` waffle flags: a third on for everyone, a third off, a third for an allow-list.

    The allow-listed third is waffle's nearest match to our user-scoped states: each of
    those flags lists 100 portal users, so ``flag_is_active`` reads its user and group
    lists (from the cache) like our evaluation reads scoped states.
    """
    from django.contrib.auth import get_user_model
    from waffle.models import Flag as WaffleFlag

    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(username=f"bench-person-{number:04d}", email=f"p{number}@example.com")
            for number in range(300)
        ]
    )
    names = []
    for number in range(count):
        name = f"bench_waffle_{number:02d}"
        everyone = (True, False, None)[number % 3]
        flag = WaffleFlag.objects.create(name=name, everyone=everyone, note="benchmark")
        if everyone is None:
            flag.users.add(*rng.sample(users, 100))
        names.append(name)
    return names


def make_flags(admin, total: int, states: int, rng: random.Random) -> dict:
    """Synthetic flags up to ``total`` (after the runbook's), then ``states`` scoped states."""
    from django.utils import timezone

    from apps.flags.models import Flag, FlagKind, FlagState, ScopeKind, StateValue

    existing = list(Flag.objects.order_by("key"))
    synthetic = []
    for number in range(max(0, total - len(existing))):
        kind = FlagKind.GATE if number % 10 == 9 else FlagKind.KILL_SWITCH
        synthetic.append(
            Flag(
                key=f"bench.synthetic_{number:02d}",
                description="Benchmark flag accepting every scope.",
                kind=kind,
                fund_related=number % 4 == 0,
                scopes=list(ALL_CONTEXT_SCOPES),
                created_by=admin,
            )
        )
    Flag.objects.bulk_create(synthetic)
    flags = list(Flag.objects.order_by("key"))

    now = timezone.now()

    def scope_value(scope: str) -> str:
        if scope == "round":
            return str(rng.randint(1, ROUNDS))
        if scope == "user":
            return str(100000 + rng.randrange(PLATFORM_USERS))
        if scope == "claim_type":
            return rng.choice(CLAIM_TYPES)
        if scope == "network":
            return rng.choice(NETWORKS)
        return str(rng.randint(1, PROJECTS))

    rows = []
    for number in range(states):
        flag = rng.choice(flags)
        accepted = [scope for scope in flag.scopes if scope != ScopeKind.GLOBAL]
        global_state = not accepted or rng.random() < 0.02
        if global_state:
            scope, value = ScopeKind.GLOBAL, ""
        else:
            # Most scoped states are per user (support's freezes) or per round.
            weights = [5 if s == "user" else 3 if s == "round" else 1 for s in accepted]
            scope = rng.choices(accepted, weights=weights)[0]
            value = scope_value(scope)
        if flag.kind == FlagKind.GATE:
            state = StateValue.OPEN if rng.random() < 0.7 else StateValue.CLOSED
        else:
            state = StateValue.BLOCKED if rng.random() < 0.7 else StateValue.ALLOWED
        effective_from = now - timedelta(minutes=rng.randint(1, 90 * 24 * 60))
        until = None
        draw = rng.random()
        if global_state:
            # Global history only: explicit re-allows, closures and temporary blocks that
            # have ended, so no flag is off as a whole and every answer walks its scopes.
            if flag.kind == FlagKind.GATE:
                state = StateValue.CLOSED
            elif state == StateValue.BLOCKED:
                effective_from = now - timedelta(days=rng.randint(3, 90))
                until = effective_from + timedelta(hours=rng.randint(1, 48))
        elif draw < 0.1:
            until = effective_from + timedelta(hours=rng.randint(1, 48))  # mostly over
        elif draw < 0.15:
            until = now + timedelta(days=rng.randint(1, 30))
        rows.append(
            FlagState(
                flag=flag,
                scope_kind=scope,
                scope_value=value,
                state=state,
                reason=f"benchmark state {number}",
                incident_ref=f"INC-{rng.randint(1, 400)}" if rng.random() < 0.2 else "",
                actor=admin,
                source="api",
                effective_from=effective_from,
                until=until,
            )
        )
    FlagState.objects.bulk_create(rows, batch_size=2000)
    return {
        "flags": [
            {"key": flag.key, "kind": flag.kind, "scopes": list(flag.scopes)} for flag in flags
        ],
        "states": FlagState.objects.count(),
    }


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    args = parse_args(argv)
    rng = random.Random(args.seed)
    admin = make_admin()
    answer: dict = {"tokens": make_tokens(admin, args.token)}
    if args.waffle_flags:
        answer["waffle_flags"] = make_waffle_flags(args.waffle_flags, rng)
    if args.flags or args.states:
        answer.update(make_flags(admin, args.flags, args.states, rng))
    answer["context"] = {
        "rounds": ROUNDS,
        "platform_users": PLATFORM_USERS,
        "user_base": 100000,
        "claim_types": CLAIM_TYPES,
        "networks": NETWORKS,
        "projects": PROJECTS,
    }
    print(json.dumps(answer))


if __name__ == "__main__":
    main(sys.argv[1:])
