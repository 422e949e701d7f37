"""alert_intake: Alertmanager deliveries against the production stack, and their processing.

One command (``bench/alert_intake/run``, or ``uv run python -m bench.alert_intake``):

1. recreates PostgreSQL database ``bench_alert_intake``, migrates it (production
   settings), makes a super admin, an ``alerts:write`` token, a team with a policy and two
   routes (``bench/alert_intake/setup_data.py``);
2. starts gunicorn (4 sync workers by default) and a Celery worker (``celery worker``,
   prefork, concurrency 2) on Redis db 9 under a key prefix of its own;
3. 8 sender threads post ``--alerts`` distinct alerts (default 10,000) to
   ``POST /v1/alerts/alertmanager`` in Alertmanager webhook payloads (version 4) of
   ``--per-delivery`` alerts (default 100), one group per delivery; then re-send every
   tenth delivery (Alertmanager's repeat notifications / an HA peer's copy). One alert in
   100 has severity="critical" and pages; the rest are routed below a threshold;
4. records each answer's status and wall time on the client; waits (bounded) until every
   delivery is processed; then checks in the database: every alert stored exactly once,
   one group per fingerprint, all firing, one page per critical alert, the repeats
   deduplicated;
5. prints throughput (alerts accepted per second, from the first request to the last
   answer), answer latency p50/p90/p99/max, the time until the last delivery was
   processed, and where the time went (CPU of gunicorn, the Celery worker, PostgreSQL +
   Redis; processing time per delivery inside the task; queueing).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import harness
from bench.harness import Gunicorn, Stack, log

TARGET_RPS = 500.0
TARGET_P99_MS = 100.0
PROCESS_DEADLINE_SECONDS = 900


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/alert_intake/run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--per-delivery", type=int, default=100)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="offered alerts per second across all senders (0: each sender as fast as answers "
        "come back). With a rate, each delivery has a planned send time and its answer time is "
        "counted from that plan, so a server falling behind shows in the figures.",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database after")
    return parser.parse_args(argv)


def rfc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def make_deliveries(alerts: int, per: int) -> list[dict]:
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    deliveries = []
    for number in range((alerts + per - 1) // per):
        rule = f"BenchRule{number % 20:02d}"
        items = []
        for index in range(min(per, alerts - number * per)):
            labels = {
                "alertname": rule,
                "service": "bench",
                "instance": f"host-{number:04d}-{index:03d}",
                "severity": "critical" if index == 0 else "warning",
            }
            fingerprint = hashlib.sha256(json.dumps(sorted(labels.items())).encode()).hexdigest()[
                :16
            ]
            items.append(
                {
                    "status": "firing",
                    "labels": labels,
                    "annotations": {
                        "summary": f"{rule} on {labels['instance']}",
                        "runbook_url": "https://runbooks.example.test/bench",
                    },
                    "startsAt": rfc(starts + timedelta(seconds=index)),
                    "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "http://prometheus.example.test/graph",
                    "fingerprint": fingerprint,
                }
            )
        deliveries.append(
            {
                "version": "4",
                "groupKey": f'{{}}:{{alertname="{rule}", batch="{number}"}}',
                "truncatedAlerts": 0,
                "status": "firing",
                "receiver": "opsportal",
                "groupLabels": {"alertname": rule},
                "commonLabels": {"alertname": rule, "service": "bench"},
                "commonAnnotations": {},
                "externalURL": "http://alertmanager.example.test",
                "alerts": items,
            }
        )
    return deliveries


def post(port: int, token: str, body: bytes) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            "/v1/alerts/alertmanager",
            body=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Connection": "close",
            },
        )
        answer = connection.getresponse()
        answer.read()
        return answer.status, (time.perf_counter() - started) * 1000
    finally:
        connection.close()


def send_all(
    port: int, token: str, bodies: list[bytes], senders: int, interval: float = 0.0
) -> tuple[list, float]:
    """Post every body from ``senders`` threads. ``interval`` > 0: body n is planned for
    ``n * interval`` seconds after the start and its answer time counts from that plan."""
    results: list[tuple[int, float]] = []
    lock = threading.Lock()
    queue = list(enumerate(bodies))
    started = time.perf_counter()

    def sender() -> None:
        while True:
            with lock:
                if not queue:
                    return
                number, body = queue.pop(0)
            planned = started + number * interval
            if interval:
                time.sleep(max(0.0, planned - time.perf_counter()))
            try:
                status, ms = post(port, token, body)
                if interval:
                    ms = (time.perf_counter() - planned) * 1000
            except OSError as exc:
                status, ms = -1, 0.0
                log(f"send failed: {exc}")
            with lock:
                results.append((status, ms))

    threads = [threading.Thread(target=sender) for _ in range(min(senders, len(bodies)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return results, time.perf_counter() - started


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def sql(stack: Stack, query: str):
    import psycopg

    with psycopg.connect(stack.database_url, autocommit=True) as connection:
        return connection.execute(query).fetchall()


class CeleryWorker:
    def __init__(self, stack: Stack, concurrency: int, prefix: str):
        self.stack = stack
        self.concurrency = concurrency
        self.log_path = harness.RESULTS_DIR / f"{stack.name}-celery.log"
        self.prefix = prefix
        self.process = None

    def env(self) -> dict[str, str]:
        return self.stack.env(CELERY_BROKER_KEY_PREFIX=self.prefix)

    def __enter__(self):
        import subprocess

        harness.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "opsportal",
                "worker",
                "-l",
                "warning",
                "--concurrency",
                str(self.concurrency),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=harness.ROOT,
            env=self.env(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        time.sleep(3)
        if self.process.poll() is not None:
            raise RuntimeError(f"celery worker exited at start; see {self.log_path}")
        log(f"celery worker started (pid {self.process.pid}, concurrency {self.concurrency})")
        return self

    def cpu_seconds(self) -> float:
        pids = [self.process.pid, *harness.children_of(self.process.pid)]
        return sum(harness.cpu_seconds_of(pid) for pid in pids)

    def __exit__(self, *exc) -> None:
        import signal

        if self.process is not None and self.process.poll() is None:
            log(f"stopping celery worker (pid {self.process.pid})")
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except Exception:  # noqa: BLE001
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


def _drop_broker_keys(stack: Stack, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(stack.redis_url, socket_timeout=5)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    stack = Stack(name="alert_intake", db_name="bench_alert_intake", cache_prefix="bench_alerts")
    info = harness.machine_info()
    harness.print_machine(info)
    harness.reset_database(stack)
    out = harness.run(
        [sys.executable, "-m", "bench.alert_intake.setup_data"],
        env=stack.env(),
        capture_output=True,
        text=True,
    )
    token = json.loads(out.stdout.strip().splitlines()[-1])["token"]
    deliveries = make_deliveries(args.alerts, args.per_delivery)
    repeats = deliveries[::10]
    bodies = [json.dumps(d).encode() for d in deliveries + repeats]
    posted_alerts = sum(len(d["alerts"]) for d in deliveries + repeats)
    log(
        f"{len(deliveries)} deliveries of {args.per_delivery} alerts + {len(repeats)} repeats "
        f"({posted_alerts} alerts posted, {args.alerts} distinct), {args.senders} senders"
    )
    report: dict = {"machine": info, "args": vars(args)}
    # The web processes queue on the same broker key prefix the worker reads.
    prefix = f"bench-alerts-{uuid.uuid4().hex[:8]}:"
    with (
        harness.bounded(PROCESS_DEADLINE_SECONDS + 600, "alert_intake"),
        Gunicorn(
            stack, workers=args.workers, extra_env={"CELERY_BROKER_KEY_PREFIX": prefix}
        ) as server,
        CeleryWorker(stack, args.celery_concurrency, prefix) as worker,
    ):
        services = harness.service_pids(stack)
        cpu = {
            "gunicorn": server.cpu_seconds(),
            "celery": worker.cpu_seconds(),
            "services": sum(harness.cpu_seconds_of(p) for p in services),
            "total": harness.total_cpu_seconds(),
        }
        # Warm-up: each worker serves the intake once and queues its first task (a web
        # process's first publish sets up its broker connection); these alerts are labelled
        # service="warmup", match no route and are left out of the checks below.
        warm = [
            json.dumps(
                {
                    **deliveries[0],
                    "alerts": [
                        {
                            **deliveries[0]["alerts"][1],
                            "labels": {"alertname": "Warmup", "service": "warmup", "n": str(n)},
                            "fingerprint": f"warmup{n:010d}",
                        }
                    ],
                }
            ).encode()
            for n in range(args.workers * 4)
        ]
        send_all(server.port, token, warm, args.senders)
        load_start = harness.load_average()
        first_sent = time.time()
        interval = args.per_delivery / args.rate if args.rate > 0 else 0.0
        results, wall = send_all(server.port, token, bodies, args.senders, interval)

        cpu_intake = {
            "gunicorn": server.cpu_seconds() - cpu["gunicorn"],
            "celery": worker.cpu_seconds() - cpu["celery"],
        }
        log(f"sent in {wall:.2f} s; waiting for processing")
        deadline = time.monotonic() + PROCESS_DEADLINE_SECONDS
        progress = (None, time.monotonic())
        while time.monotonic() < deadline:
            left = sql(
                stack,
                "SELECT count(*) FROM incidents_alertdelivery WHERE processed_at IS NULL",
            )[0][0]
            if left == 0:
                break
            if left != progress[0]:
                progress = (left, time.monotonic())
            elif time.monotonic() - progress[1] > 60:
                log(f"no delivery processed for 60 s ({left} left); see {worker.log_path}")
                break
            time.sleep(0.5)
        services = harness.service_pids(stack)
        cpu_after = {
            "gunicorn": server.cpu_seconds() - cpu["gunicorn"],
            "celery": worker.cpu_seconds() - cpu["celery"],
            "services": sum(harness.cpu_seconds_of(p) for p in services) - cpu["services"],
            "total": harness.total_cpu_seconds() - cpu["total"],
        }
        load_end = harness.load_average()

    statuses: dict[int, int] = {}
    for status, _ms in results:
        statuses[status] = statuses.get(status, 0) + 1
    latencies = [ms for status, ms in results if status == 202]
    (unprocessed,) = sql(
        stack, "SELECT count(*) FROM incidents_alertdelivery WHERE processed_at IS NULL"
    )[0]
    first_received, last_processed = sql(
        stack, "SELECT min(received_at), max(processed_at) FROM incidents_alertdelivery"
    )[0]
    alerts, distinct = sql(
        stack,
        "SELECT count(*), count(DISTINCT (fingerprint, status, starts_at)) FROM incidents_alert"
        " WHERE labels->>'service' = 'bench'",
    )[0]
    groups, firing = sql(
        stack,
        "SELECT count(*), count(*) FILTER (WHERE state = 'firing') FROM incidents_alertgroup"
        " WHERE labels->>'service' = 'bench'",
    )[0]
    pages = sql(stack, "SELECT count(*) FROM warroom_page")[0][0]
    kinds = dict(
        sql(
            stack,
            "SELECT kind, count(*) FROM incidents_alertdecision WHERE fingerprint NOT LIKE "
            "'warmup%%' GROUP BY kind ORDER BY 1",
        )
    )
    processing = [
        float(row[0])
        for row in sql(
            stack,
            "SELECT (summary->>'processing_ms') FROM incidents_alertdelivery "
            "WHERE summary ? 'processing_ms' AND received_at >= "
            f"'{datetime.fromtimestamp(first_sent, UTC).isoformat()}'",
        )
    ]
    waits = [
        float(row[0]) * 1000
        for row in sql(
            stack,
            "SELECT EXTRACT(EPOCH FROM processed_at - received_at) FROM incidents_alertdelivery "
            "WHERE processed_at IS NOT NULL AND received_at >= "
            f"'{datetime.fromtimestamp(first_sent, UTC).isoformat()}'",
        )
    ]
    audit_rows = sql(stack, "SELECT count(*) FROM audit_auditevent")[0][0]
    until_processed = (last_processed.timestamp() - first_sent) if last_processed else None
    expected_pages = len(deliveries)
    checks = {
        "every alert stored exactly once": alerts == distinct == args.alerts,
        "one group per fingerprint, all firing": groups == firing == args.alerts,
        "one page per critical alert": pages == expected_pages,
        "repeats deduplicated": kinds.get("deduplicated", 0)
        == sum(len(d["alerts"]) for d in repeats),
        "every delivery processed": unprocessed == 0,
        "every answer 202": statuses == {202: len(bodies)},
    }
    rps = posted_alerts / wall
    report.update(
        {
            "statuses": statuses,
            "wall_seconds": wall,
            "alerts_per_second": rps,
            "latency_ms": {
                "p50": pct(latencies, 50),
                "p90": pct(latencies, 90),
                "p99": pct(latencies, 99),
                "max": max(latencies or [0]),
                "mean": statistics.fmean(latencies) if latencies else 0,
                "over_1s": sum(1 for ms in latencies if ms > 1000),
            },
            "seconds_until_last_processed": until_processed,
            "first_received": str(first_received),
            "processing_ms": {
                "p50": pct(processing, 50),
                "p99": pct(processing, 99),
                "max": max(processing or [0]),
                "sum_s": sum(processing) / 1000,
            },
            "received_to_processed_ms": {"p50": pct(waits, 50), "p99": pct(waits, 99)},
            "cpu_during_intake_s": cpu_intake,
            "cpu_until_processed_s": cpu_after,
            "load_average": {"start": load_start, "end": load_end},
            "db": {
                "alerts": alerts,
                "distinct": distinct,
                "groups": groups,
                "pages": pages,
                "decisions": kinds,
                "audit_rows": audit_rows,
            },
            "checks": checks,
        }
    )
    print()
    print(f"requests: {len(bodies)} ({statuses}); alerts posted {posted_alerts}")
    print(
        f"accepted: {rps:,.0f} alerts/s ({len(bodies) / wall:.1f} deliveries/s) over {wall:.2f} s"
        f" — target ≥ {TARGET_RPS:.0f}: {'met' if rps >= TARGET_RPS else 'MISSED'}"
    )
    lat = report["latency_ms"]
    print(
        f"answer ms: p50 {lat['p50']:.1f}  p90 {lat['p90']:.1f}  p99 {lat['p99']:.1f}  "
        f"max {lat['max']:.1f}  (>1 s: {lat['over_1s']})  — target p99 ≤ {TARGET_P99_MS:.0f}: "
        f"{'met' if lat['p99'] <= TARGET_P99_MS else 'MISSED'}"
    )
    if until_processed is not None:
        print(f"first request → last delivery processed: {until_processed:.2f} s")
    proc = report["processing_ms"]
    print(
        f"processing per delivery (in the task): p50 {proc['p50']:.0f} ms, p99 {proc['p99']:.0f}"
        f" ms, sum {proc['sum_s']:.1f} s; received → processed p50 "
        f"{report['received_to_processed_ms']['p50']:.0f} ms, p99 "
        f"{report['received_to_processed_ms']['p99']:.0f} ms"
    )
    print(
        "CPU during intake: gunicorn {gunicorn:.1f} s, celery {celery:.1f} s".format(**cpu_intake)
    )
    print(
        "CPU until processed: gunicorn {gunicorn:.1f} s, celery {celery:.1f} s, "
        "PostgreSQL+Redis {services:.1f} s, whole machine {total:.1f} s".format(**cpu_after)
    )
    print(f"load average: {load_start} → {load_end}")
    print(f"database: {report['db']}")
    for name, ok in checks.items():
        print(f"check: {name}: {'ok' if ok else 'FAILED'}")
    harness.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = harness.RESULTS_DIR / f"alert_intake-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    Path(path).write_text(json.dumps(report, indent=2, default=str))
    print(f"raw: {path}")
    if not args.keep_db:
        harness.run(
            [
                "dropdb",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "--if-exists",
                "--force",
                stack.db_name,
            ],
            timeout=60,
        )
    stack.cleanup()
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
