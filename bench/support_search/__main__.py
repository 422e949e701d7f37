"""support_search: the support search box at millions of rows, against a Django admin peer.

One command (``bench/support_search/run``, or ``uv run python -m bench.support_search``):

1. recreates PostgreSQL database ``bench_support_search`` and migrates it (production
   settings, as the other benchmarks);
2. generates customers, wallets and transactions (``apps.support.fake``), loads them with
   COPY with the secondary indexes dropped, rebuilds every index (timed one by one) and
   ANALYZEs; adds 5,000 transactions to one customer for the customer page;
3. picks ``--queries`` random existing values per identifier type, plus partial emails and
   handles (6 characters) and prefixes of hashes and addresses;
4. starts gunicorn (2 sync workers) and logs in through the real login and MFA pages;
5. runs every query once, one at a time, against ``GET /v1/support/search?q=…`` over HTTP
   and, in a separate process, through the search selector with the SQL timed ("inside
   the database");
6. runs ``--peer-queries`` of each type through the Django admin changelist with
   ``search_fields`` over the same fields (``/bench/support-admin/``), each stopped at
   30 s and counted as 30 s;
7. times the customer page (``/support/customers/<id>/``) of the customer with 5,000
   transactions, and its API (``/v1/support/customers/<id>``);
8. writes ``bench/results/support_search-<time>.json`` and prints the table.

Scale: ``--customers``, ``--wallets``, ``--transactions`` (default: the target 1M / 2M /
10M; ``--small`` = 20k / 40k / 200k). ``--keep-db`` reuses a loaded database.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from bench import harness
from bench.harness import Gunicorn, Stack, log

PEER_TIMEOUT = 30.0
TARGET_P95_MS = 50.0
TARGET_EXACT_P95_MS = 10.0
EXACT_TYPES = {
    "email",
    "external_id",
    "handle",
    "customer_number",
    "evm_address_checksum",
    "evm_address_lower",
    "solana_address",
    "tron_address",
    "evm_tx_hash",
    "tron_tx_id",
    "solana_signature",
}
PEER_MODEL = {
    "email": "customer",
    "external_id": "customer",
    "handle": "customer",
    "customer_number": "customer",
    "partial_email": "customer",
    "partial_handle": "customer",
    "evm_address_checksum": "wallet",
    "evm_address_lower": "wallet",
    "solana_address": "wallet",
    "tron_address": "wallet",
    "address_prefix": "wallet",
    "evm_tx_hash": "transaction",
    "tron_tx_id": "transaction",
    "solana_signature": "transaction",
    "hash_prefix": "transaction",
}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="bench/support_search/run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--wallets", type=int, default=2_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--small", action="store_true", help="20k customers, 40k wallets, 200k tx")
    parser.add_argument("--queries", type=int, default=1000, help="queries per identifier type")
    parser.add_argument("--peer-queries", type=int, default=100, help="admin peer queries per type")
    parser.add_argument("--page-requests", type=int, default=200)
    parser.add_argument("--keep-db", action="store_true", help="reuse the loaded database")
    args = parser.parse_args(argv)
    if args.small:
        args.customers, args.wallets, args.transactions = 20_000, 40_000, 200_000
    return args


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(q):
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {
        "n": len(values),
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ordered[-1], 2),
        "mean": round(statistics.fmean(values), 2),
    }


def login(base_url: str, admin: dict) -> requests.Session:
    """A session through the real login and MFA pages."""
    from django_otp.oath import totp

    session = requests.Session()
    page = _follow(session, "GET", f"{base_url}/accounts/login/")
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if found is None:
        raise RuntimeError(f"no login form at {page.url} ({page.status_code}): {page.text[:300]}")
    answer = _follow(
        session,
        "POST",
        f"{base_url}/accounts/login/",
        data={
            "csrfmiddlewaretoken": found.group(1),
            "username": admin["username"],
            "password": admin["password"],
        },
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.text).group(1)
    code = f"{totp(bytes.fromhex(admin['totp_key'])):06d}"
    verified = _follow(
        session, "POST", answer.url, data={"csrfmiddlewaretoken": token, "code": code}
    )
    if "/accounts/" in verified.url:
        raise RuntimeError(f"MFA verification failed at {verified.url}")
    return session


def _follow(session, method: str, url: str, **kwargs):
    """One request and its redirects, by hand: production cookies are Secure and loopback
    has no TLS, so each cookie is re-marked sendable over plain HTTP as it arrives."""
    for _hop in range(10):
        answer = session.request(
            method, url, allow_redirects=False, timeout=10, headers={"Referer": url}, **kwargs
        )
        for cookie in session.cookies:
            cookie.secure = False
        if answer.status_code not in (301, 302, 303):
            return answer
        url = requests.compat.urljoin(url, answer.headers["Location"])
        method, kwargs = "GET", {}
    raise RuntimeError(f"too many redirects at {url}")


def timed_get(session, url, params=None, timeout=60.0) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        answer = session.get(url, params=params, timeout=timeout)
        status = answer.status_code
    except requests.Timeout:
        return timeout * 1000, 0
    finally:
        for cookie in session.cookies:
            cookie.secure = False  # see _follow
    return (time.perf_counter() - started) * 1000, status


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    stack = Stack(name="support_search", db_name="bench_support_search", cache_prefix="bench_sup")
    harness.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    started_at = datetime.now(UTC)
    try:
        if not args.keep_db:
            harness.reset_database(stack)
        data_args = [
            "--customers",
            str(args.customers),
            "--wallets",
            str(args.wallets),
            "--transactions",
            str(args.transactions),
            "--queries",
            str(args.queries),
        ]
        if args.keep_db:
            data_args.append("--reuse")
        log("generating and loading data (COPY), then building indexes")
        out = harness.run(
            [sys.executable, "-m", "bench.support_search.data", *data_args],
            env=stack.env(),
            timeout=6 * 3600,
            capture_output=True,
            text=True,
        )
        sys.stderr.write(out.stderr[-4000:])
        data = json.loads(out.stdout.strip().splitlines()[-1])
        queries = data.pop("queries")
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(queries, handle)
            queries_path = handle.name
        log("timing the search inside the database")
        db_out = harness.run(
            [sys.executable, "-m", "bench.support_search.dbtime", queries_path],
            env=stack.env(),
            timeout=3600,
            capture_output=True,
            text=True,
        )
        db_times = json.loads(db_out.stdout.strip().splitlines()[-1])

        # Production serves hashed static files: pages need the manifest.
        harness.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            env=stack.env(),
            timeout=300,
        )
        results: dict = {"api": {}, "db": {}, "peer": {}, "statuses": {}}
        with Gunicorn(stack, workers=2) as server:
            session = login(server.base_url, data["admin"])
            for kind, values in queries.items():
                log(f"API: {kind} ({len(values)} queries)")
                times, statuses = [], {}
                timed_get(session, f"{server.base_url}/v1/support/search", {"q": values[0]})
                for value in values:
                    ms, status = timed_get(
                        session, f"{server.base_url}/v1/support/search", {"q": value}
                    )
                    times.append(ms)
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
                results["api"][kind] = percentiles(times)
                results["statuses"][kind] = statuses
                results["db"][kind] = percentiles(db_times.get(kind, []))
            for kind, values in queries.items():
                model = PEER_MODEL[kind]
                sample = values[: args.peer_queries]
                log(f"peer (admin changelist, {model}): {kind} ({len(sample)} queries)")
                url = f"{server.base_url}/bench/support-admin/support/{model}/"
                times = [timed_get(session, url, {"q": v}, timeout=PEER_TIMEOUT)[0] for v in sample]
                results["peer"][kind] = percentiles(times)
            page = data["page_customer"]
            for name, url in (
                ("customer_page", f"{server.base_url}/support/customers/{page['id']}/"),
                ("customer_api", f"{server.base_url}/v1/support/customers/{page['id']}"),
            ):
                timed_get(session, url)
                times = [timed_get(session, url)[0] for _ in range(args.page_requests)]
                results[name] = percentiles(times)
        finished_at = datetime.now(UTC)
        report = {
            "benchmark": "support_search",
            "started_at": started_at.isoformat(),
            "finished_at": finished_at.isoformat(),
            "machine": machine(),
            "scale": {
                "customers": args.customers,
                "wallets": args.wallets,
                "transactions": args.transactions,
                "queries_per_type": args.queries,
                "peer_queries_per_type": args.peer_queries,
            },
            **{k: v for k, v in data.items() if k != "admin"},
            **results,
        }
        path = harness.RESULTS_DIR / f"support_search-{started_at:%Y%m%dT%H%M%S}.json"
        path.write_text(json.dumps(report, indent=2))
        print(table(report))
        log(f"results: {path}")
        Path(queries_path).unlink(missing_ok=True)
        return 0
    finally:
        stack.cleanup()


def machine() -> dict:
    """The shared machine description (it also reports wrk, which this benchmark does not
    use; without wrk installed, the rest is reported)."""
    import os
    import platform as py_platform

    try:
        return harness.machine_info()
    except OSError:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        return {
            "cpus": str(os.cpu_count()),
            "python": py_platform.python_version(),
            "commit": commit,
            "load_average": harness.load_average(),
        }


def table(report: dict) -> str:
    lines = [
        f"scale: {report['scale']}",
        f"load: {report.get('load_total_seconds')} s {report.get('load_seconds')}; "
        f"indexes: {report.get('index_total_seconds')} s",
        "",
        "| type | API p50 | API p95 | API p99 | DB p50 | DB p95 | peer p50 | peer p95 | "
        "peer/API p95 | target |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, api in report["api"].items():
        db, peer = report["db"].get(kind, {}), report["peer"].get(kind, {})
        target = TARGET_EXACT_P95_MS if kind in EXACT_TYPES else TARGET_P95_MS
        met = "met" if api.get("p95", 1e9) <= target else "MISSED"
        ratio = round(peer["p95"] / api["p95"], 1) if peer.get("p95") and api.get("p95") else "-"
        lines.append(
            f"| {kind} | {api.get('p50')} | {api.get('p95')} | {api.get('p99')} | "
            f"{db.get('p50')} | {db.get('p95')} | {peer.get('p50')} | {peer.get('p95')} | "
            f"{ratio}× | ≤{target:g} ms {met} |"
        )
    for name in ("customer_page", "customer_api"):
        if name in report:
            lines.append(f"{name}: {report[name]}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
