"""incident_page: the incident page of a big incident, in ms per request and queries.

One command::

    uv run python -m bench.incident_page [--entries 1000] [--alerts 10000] [--requests 100]

It migrates a database, declares an incident through the incidents service as an
incident commander, then adds ``--entries`` timeline entries (people's notes and
decisions, every tenth pinned, and automatic entries of every kind, bulk-inserted: the
timeline is append-only, inserts are allowed) and ``--alerts`` alerts in
``--alert-groups`` alert groups attached to the incident (bulk-inserted; skipped with a
note when this build has no alert models). It then renders ``GET /incidents/<number>/``
through Django's test client on the commander's MFA-verified session, ``--warmup`` times
unmeasured and ``--requests`` times measured, and prints p50/p95/p99/max in ms and the
number of queries per request (which must not change between requests: the page's query
budget is pinned in ``tests/incidents/test_core_pages.py``).

Database: PostgreSQL when ``DATABASE_URL`` points at it (use a database of your own,
e.g. ``postgresql://postgres@127.0.0.1:5432/bench_incident_page``: it is created when
missing, and each run adds one more incident to it); otherwise SQLite in a temporary folder
that is removed afterwards. Development settings with ``DEBUG`` off (no query log kept
in memory, templates cached), in process: the figure is Django, the page's queries and
rendering, without a socket or a server in front.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta

import django

PER_KIND_BODY = {
    "note": "Checked the node provider's status page: RPC latency still high.",
    "decision": "Keep Tron payouts blocked until the ledger reconciles.",
}
AUTOMATIC_KINDS = ("status", "severity", "role", "flag", "page", "change_request", "alert")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1000, help="timeline entries")
    parser.add_argument("--alerts", type=int, default=10000, help="alerts attached")
    parser.add_argument("--alert-groups", type=int, default=1000, help="groups they are in")
    parser.add_argument("--requests", type=int, default=100, help="measured requests")
    parser.add_argument("--warmup", type=int, default=5, help="requests before measuring")
    return parser.parse_args(argv)


def _ensure_postgres_database(url: str) -> None:
    """Create the database DATABASE_URL names when it does not exist yet."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _commander():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from apps.accounts.roles import INCIDENT_COMMANDER

    user, _created = get_user_model().objects.get_or_create(
        username="bench-commander",
        defaults={"email": "bench-commander@example.com", "first_name": "Bench"},
    )
    user.groups.add(Group.objects.get(name=INCIDENT_COMMANDER))
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="authenticator", defaults={"confirmed": True}
    )
    return user, device


def _verified_client(user, device):
    from django.test import Client

    client = Client()
    client.force_login(user, backend="apps.accounts.backends.HumanModelBackend")
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def _add_entries(incident, actor, count: int) -> None:
    from django.utils import timezone

    from apps.incidents.models import TimelineEntry

    start = timezone.now() - timedelta(hours=12)
    rows = []
    for n in range(count):
        if n % 2:
            kind = "note" if n % 4 == 1 else "decision"
            body, data = PER_KIND_BODY[kind], {}
        else:
            kind = AUTOMATIC_KINDS[(n // 2) % len(AUTOMATIC_KINDS)]
            body, data = f"Automatic entry {n} ({kind})", {"n": n}
        rows.append(
            TimelineEntry(
                incident=incident,
                kind=kind,
                body=body,
                data=data,
                pinned=n % 10 == 0,
                internal_only=n % 7 == 0,
                actor=actor if n % 3 else None,
                occurred_at=start + timedelta(seconds=30 * n),
            )
        )
    TimelineEntry.objects.bulk_create(rows, batch_size=500)


def _add_alerts(incident, count: int, groups: int) -> str:
    """``count`` alerts in ``groups`` groups attached to the incident; returns a note."""
    from apps.incidents import models

    if not hasattr(models, "AlertGroup") or count <= 0:
        return "no alerts (this build has no alert models)" if count > 0 else "no alerts"
    from django.utils import timezone

    groups = max(1, min(groups, count))
    now = timezone.now()
    delivery = models.AlertDelivery.objects.create(
        source=models.AlertDelivery.Source.ALERTMANAGER,
        payload={"version": "4", "alerts": []},
        receiver="bench",
        status="firing",
        alert_count=count,
        processed_at=now,
    )
    tag = f"{incident.number}-{int(now.timestamp())}"
    made = models.AlertGroup.objects.bulk_create(
        [
            models.AlertGroup(
                fingerprint=f"{tag}-{g:05d}"[-64:],
                alertname=f"BenchAlert{g % 50}",
                labels={"alertname": f"BenchAlert{g % 50}", "instance": f"node-{g}"},
                annotations={"summary": f"Bench alert group {g}"},
                starts_at=now - timedelta(hours=2),
                incident=incident,
                event_count=count // groups,
                seen_count=count // groups,
            )
            for g in range(groups)
        ],
        batch_size=500,
    )
    if made[0].pk is None:  # backends that return no ids from bulk inserts
        made = list(models.AlertGroup.objects.filter(incident=incident).order_by("id"))
    alerts = []
    for n in range(count):
        group = made[n % groups]
        alerts.append(
            models.Alert(
                group=group,
                fingerprint=group.fingerprint,
                status="firing" if (n // groups) % 2 == 0 else "resolved",
                starts_at=now - timedelta(hours=2, seconds=n),
                labels=group.labels,
                annotations=group.annotations,
                delivery=delivery,
            )
        )
    models.Alert.objects.bulk_create(alerts, batch_size=1000)
    return f"{count} alerts in {groups} groups"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    scratch = None
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        _ensure_postgres_database(database_url)
        database = "PostgreSQL"
    else:
        os.environ.pop("DATABASE_URL", None)
        scratch = tempfile.TemporaryDirectory(prefix="bench-incident-page-")
        os.environ["SQLITE_PATH"] = os.path.join(scratch.name, "bench.sqlite3")
        database = "SQLite"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsportal.settings")
    os.environ["DEBUG"] = "false"
    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started

    from apps.incidents.models import Severity
    from apps.incidents.services.incidents import incident_declare

    commander, device = _commander()
    incident = incident_declare(
        actor=commander,
        title="Benchmark: withdrawals on Tron stuck",
        severity=Severity.objects.get(code="S2"),
        summary="Payouts on Tron are not confirmed.",
    )
    started = time.perf_counter()
    _add_entries(incident, commander, args.entries)
    alerts_note = _add_alerts(incident, args.alerts, args.alert_groups)
    loaded = time.perf_counter() - started
    entries = incident.timeline.count()

    client = _verified_client(commander, device)
    url = f"/incidents/{incident.number}/"
    for _ in range(args.warmup):
        response = client.get(url)
        if response.status_code != 200:
            print(f"{url} answered {response.status_code}, expected 200", file=sys.stderr)  # noqa: T201
            return 1
    timings: list[float] = []
    query_counts: set[int] = set()
    for _ in range(args.requests):
        with CaptureQueriesContext(connection) as queries:
            begin = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - begin) * 1000)
        query_counts.add(len(queries.captured_queries))
    size_kb = len(response.content) / 1024

    print(  # noqa: T201
        f"incident page {url}: {entries} timeline entries, {alerts_note}; {database}, "
        f"in process (test client, DEBUG off)\n"
        f"  requests: {args.requests} (after {args.warmup} warm-up)\n"
        f"  p50 {statistics.median(timings):.1f} ms, p95 {_percentile(timings, 0.95):.1f} ms, "
        f"p99 {_percentile(timings, 0.99):.1f} ms, max {max(timings):.1f} ms\n"
        f"  queries per request: {sorted(query_counts)}; page size {size_kb:.0f} KiB\n"
        f"  (migrate {migrated:.1f} s, data {loaded:.1f} s)"
    )
    if scratch is not None:
        connection.close()
        scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
