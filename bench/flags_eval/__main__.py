"""flags_eval: single-flag evaluation under wrk, against django-waffle on the same server.

One command (``bench/flags_eval/run``, or ``uv run python -m bench.flags_eval``):

1. recreates PostgreSQL database ``bench_flags`` and migrates it with production settings;
2. makes a super admin, a service account with a ``flags:read`` token (accounts services),
   50 flags (the runbook's + synthetic) with 10,000 scoped states, and 50 waffle flags;
3. starts gunicorn (2 sync workers by default) over PostgreSQL and Redis db 9;
4. warms both endpoints, then runs wrk, alternating the two endpoints:
   ``GET /v1/flags/{key}/evaluate?round=…&user=…`` and the bench-only
   ``GET /bench/waffle-flag/{name}`` (``waffle.flag_is_active`` behind the same token auth),
   at 64 connections and at a lower count where latency can be judged;
5. prints a table (rps, p50/p90/p99, non-2xx counted by the server, socket errors, server
   CPU per request) and the flags/waffle ratio; stops gunicorn.

``--quick`` runs 5 s per measurement instead of 30 s. ``--profile`` adds a cProfile pass
(one worker, bench-only middleware) and prints where an evaluate request spends its time.
"""

from __future__ import annotations

import argparse
import json
import pstats
import random
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import asdict

from bench import harness
from bench.harness import Gunicorn, Stack, log

TARGET_RPS = 2000
TARGET_P99_MS = 10.0
PATHS_PER_RUN = 5000


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/flags_eval/run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="5 s per measurement, 2 s warm-up")
    parser.add_argument("--seconds", type=int, default=30, help="seconds per measurement")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2+)")
    parser.add_argument(
        "--worker-class",
        choices=["sync", "gthread"],
        default="sync",
        help="gunicorn worker class (README's production command uses the default, sync)",
    )
    parser.add_argument(
        "--costs-only",
        action="store_true",
        help="only the in-process breakdown (no server, no wrk); best with --keep-db",
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--low-connections",
        type=int,
        default=8,
        help="the second connection count, where a latency target can be judged (0: skip)",
    )
    parser.add_argument("--flags", type=int, default=50)
    parser.add_argument("--states", type=int, default=10000)
    parser.add_argument("--waffle-flags", type=int, default=50)
    parser.add_argument("--no-waffle", action="store_true", help="measure only our endpoint")
    parser.add_argument(
        "--no-floor",
        action="store_true",
        help="skip the reference run of GET /health (same middleware, no auth, trivial view)",
    )
    parser.add_argument("--no-flags", action="store_true", help="measure only waffle")
    parser.add_argument("--profile", action="store_true", help="add a cProfile pass")
    parser.add_argument(
        "--costs",
        action="store_true",
        help="add an in-process breakdown: time per middleware and per piece of the view",
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="reuse the last run's database and tokens"
    )
    args = parser.parse_args(argv)
    if args.workers < 2:
        parser.error("--workers must be 2 or more")
    if args.quick:
        args.seconds = 5
    return args


def flags_api_present() -> bool:
    """The evaluate route exists and the portal's URL map includes the flags API."""
    urls = harness.ROOT / "apps" / "flags" / "api" / "urls.py"
    portal_urls = (harness.ROOT / "opsportal" / "urls.py").read_text()
    return urls.exists() and "evaluate" in urls.read_text() and "apps.flags.api.urls" in portal_urls


def evaluate_paths(data: dict, count: int, rng: random.Random) -> list[str]:
    """Evaluate requests over every flag, each with the context keys its flag accepts.

    The context names a round and a platform user where the flag accepts them (the
    issue's ``?round=…&user=…``); flags scoped only otherwise get their claim type or
    network. Values are drawn from the same ranges the states were written for, so a
    share of the answers are decided by a scoped state.
    """
    context = data["context"]
    paths = []
    for _ in range(count):
        flag = rng.choice(data["flags"])
        query = []
        if "round" in flag["scopes"]:
            query.append(f"round={rng.randint(1, context['rounds'])}")
        if "user" in flag["scopes"]:
            query.append(f"user={context['user_base'] + rng.randrange(context['platform_users'])}")
        if not query and "claim_type" in flag["scopes"]:
            query.append(f"claim_type={rng.choice(context['claim_types'])}")
        if not query and "network" in flag["scopes"]:
            query.append(f"network={rng.choice(context['networks'])}")
        suffix = "?" + "&".join(query) if query else ""
        paths.append(f"/v1/flags/{flag['key']}/evaluate{suffix}")
    return paths


def waffle_paths(data: dict, count: int, rng: random.Random) -> list[str]:
    return [f"/bench/waffle-flag/{rng.choice(data['waffle_flags'])}" for _ in range(count)]


def preflight(server: Gunicorn, token: str, path: str) -> dict:
    """One request by hand: it must be a 200 with JSON, never a redirect or an error."""
    request = urllib.request.Request(
        server.base_url + path, headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read().decode()
            status = answer.status
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"preflight {path}: HTTP {exc.code}: {exc.read()[:500]!r}") from exc
    if status != 200:
        raise SystemExit(f"preflight {path}: HTTP {status}")
    return json.loads(body)


def profile_pass(stack: Stack, token: str, slug: str, paths: list[str], seconds: int) -> str:
    """Workers with the cProfile middleware, a light wrk load, then the top functions."""
    profile_dir = stack.var_dir / f"profile-{slug}"
    profile_dir.mkdir(exist_ok=True)
    server = Gunicorn(stack, workers=2, extra_env={"BENCH_PROFILE_DIR": str(profile_dir)})
    with server:
        harness.run_wrk(
            server,
            label="profile",
            paths=paths,
            token=token,
            connections=2,
            seconds=seconds,
        )
    files = sorted(profile_dir.glob("*.prof"))
    if not files:
        return "no profile was written (fewer than 500 requests per worker?)"
    out_path = harness.RESULTS_DIR / f"flags_eval-profile-{slug}.txt"
    with out_path.open("w") as out:
        stats = pstats.Stats(*[str(f) for f in files], stream=out)
        stats.strip_dirs()
        out.write("== by cumulative time\n")
        stats.sort_stats("cumulative").print_stats(60)
        out.write("== by own time\n")
        stats.sort_stats("tottime").print_stats(40)
    return str(out_path)


def cost_breakdown(stack: Stack, token: str, endpoints: list[tuple[str, list[str]]]) -> str:
    """Run bench/costs.py against the benchmark's database (no server involved)."""
    files = []
    for label, paths in endpoints:
        path = harness.RESULTS_DIR / f"flags_eval-costs-{label.split()[0]}-paths.txt"
        path.write_text("\n".join(paths[:1000]) + "\n")
        files += ["--paths-file", f"{label}={path}"]
    out = subprocess.run(
        [sys.executable, "-m", "bench.costs", "--token", token, *files],
        cwd=harness.ROOT,
        env=stack.env(),
        timeout=600,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        return f"bench/costs.py failed (exit {out.returncode}):\n{out.stderr[-3000:]}"
    text = out.stdout
    (harness.RESULTS_DIR / "flags_eval-costs.md").write_text(text)
    return text


def measure(
    args, stack: Stack, token: str, endpoints: list[tuple[str, list[str]]], warmup: int
) -> list[harness.WrkResult]:
    """Start gunicorn, warm both endpoints, run every wrk measurement, stop gunicorn."""
    results: list[harness.WrkResult] = []
    server = Gunicorn(
        stack,
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
    )
    with server:
        for label, paths in endpoints:
            sample = preflight(server, token, paths[0])
            log(f"preflight {paths[0]} -> 200 {json.dumps(sample)[:300]}")
            harness.run_wrk(
                server,
                label=f"warm-up {label}",
                paths=paths,
                token=token,
                connections=16,
                seconds=warmup,
            )
        counts = [args.connections]
        if args.low_connections:
            counts.append(args.low_connections)
        for connections in counts:
            for label, paths in endpoints:
                log(f"wrk: {label}, {connections} connections, {args.seconds} s")
                result = harness.run_wrk(
                    server,
                    label=label,
                    paths=paths,
                    token=token,
                    connections=connections,
                    seconds=args.seconds,
                )
                log(
                    f"  {result.rps:,.0f} rps, p99 {result.p99_ms:.2f} ms, "
                    f"statuses {result.statuses}, socket errors {result.socket_errors}"
                )
                results.append(result)
        if not args.no_floor:
            log(f"wrk: floor (GET /health), {args.connections} connections")
            results.append(
                harness.run_wrk(
                    server,
                    label="floor: GET /health",
                    paths=["/health"],
                    token=token,
                    connections=args.connections,
                    seconds=args.seconds,
                )
            )
    return results


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    info = harness.machine_info()
    harness.print_machine(info)
    if not flags_api_present():
        log("apps/flags/api/urls.py has no evaluate route yet: measuring the waffle side only")
    with_flags = flags_api_present() and not args.no_flags
    with_waffle = not args.no_waffle
    if not with_flags and not with_waffle:
        raise SystemExit("nothing to measure")

    stack = Stack(name="flags_eval", db_name="bench_flags", cache_prefix="bench_eval")
    state_file = harness.RESULTS_DIR / "flags_eval-data.json"
    warmup = 2 if args.quick else 5
    profile_reports: list[str] = []
    costs_report = ""
    budget = 900 + (8 if with_waffle else 4) * (args.seconds + warmup + 20)
    try:
        with harness.bounded(budget, "flags_eval"):
            data = json.loads(state_file.read_text()) if state_file.exists() else {}
            if args.keep_db and data and (not with_flags or "flags" in data):
                stack.secret_key, stack.field_key = data["secret_key"], data["field_key"]
                log("reusing database bench_flags and the last run's tokens (--keep-db)")
            else:
                harness.reset_database(stack)
                log(
                    f"generating data: {args.flags} flags, {args.states} scoped states, "
                    f"{args.waffle_flags} waffle flags, one flags:read token"
                )
                data_args = ["--token", "flags:read", "--waffle-flags", str(args.waffle_flags)]
                if with_flags:
                    data_args += ["--flags", str(args.flags), "--states", str(args.states)]
                data = harness.bench_data(stack, *data_args)
                data.update(secret_key=stack.secret_key, field_key=stack.field_key)
                harness.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
                state_file.write_text(json.dumps(data))
            harness.clear_cache(stack)
            token = data["tokens"][0]
            rng = random.Random(7)
            endpoints = []
            if with_flags:
                log(f"data: {len(data['flags'])} flags, {data['states']} states")
                endpoints.append(("flags evaluate", evaluate_paths(data, PATHS_PER_RUN, rng)))
            if with_waffle:
                endpoints.append(("waffle flag_is_active", waffle_paths(data, PATHS_PER_RUN, rng)))

            results = [] if args.costs_only else measure(args, stack, token, endpoints, warmup)
            if args.profile:
                for label, paths in endpoints:
                    log(f"profiling {label} (cProfile middleware, 2 workers, 2 connections)")
                    slug = label.split()[0]
                    profile_reports.append(
                        profile_pass(stack, token, slug, paths, max(args.seconds, 10))
                    )
            if args.costs or args.costs_only:
                log("in-process cost breakdown (bench/costs.py)")
                costs_report = cost_breakdown(
                    stack, token, [*endpoints, ("floor GET /health", ["/health"])]
                )
    finally:
        stack.cleanup()

    if costs_report:
        print(costs_report)
    report(args, info, results, with_flags, profile_reports)
    return 0


def report(args, info, results, with_flags, profile_reports) -> None:
    server_text = (
        f"{args.workers} gthread workers x {args.threads} threads"
        if args.worker_class == "gthread"
        else f"{args.workers} sync workers"
    )
    print()
    print(f"== flags_eval: gunicorn {server_text}, {args.seconds} s per run")
    harness.print_machine(info)
    print(harness.results_table(results))
    by_key = {(r.label, r.connections): r for r in results}
    lines = []
    for connections in sorted({r.connections for r in results}, reverse=True):
        ours = by_key.get(("flags evaluate", connections))
        peer = by_key.get(("waffle flag_is_active", connections))
        if ours and peer and peer.rps and ours.server_cpu_ms_per_request:
            lines.append(
                f"ratio at {connections} connections: flags/waffle throughput "
                f"{ours.rps / peer.rps:.2f}x, p99 {ours.p99_ms:.2f} ms vs {peer.p99_ms:.2f} ms; "
                f"server CPU per request {ours.server_cpu_ms_per_request:.2f} ms vs "
                f"{peer.server_cpu_ms_per_request:.2f} ms, i.e. "
                f"{peer.server_cpu_ms_per_request / ours.server_cpu_ms_per_request:.2f}x "
                "as many requests per CPU-second (less sensitive to the machine's other load)"
            )
        if ours:
            verdict_rps = "meets" if ours.rps >= TARGET_RPS else "misses"
            verdict_p99 = "meets" if ours.p99_ms <= TARGET_P99_MS else "misses"
            lines.append(
                f"target at {connections} connections: {ours.rps:,.0f} rps {verdict_rps} "
                f">= {TARGET_RPS}; p99 {ours.p99_ms:.2f} ms {verdict_p99} <= {TARGET_P99_MS:g} ms; "
                f"Little's law: mean latency {ours.mean_ms:.2f} ms ~ {connections} / rps = "
                f"{connections / ours.rps * 1000 if ours.rps else 0:.2f} ms"
            )
    for line in lines:
        print(line)
    print(
        "note: with N closed-loop connections mean latency = N / throughput, so p99 <= 10 ms "
        f"at {args.connections} connections needs more than {args.connections * 100:,} rps."
    )
    for path in profile_reports:
        print(f"profile: {path}")
    out = harness.RESULTS_DIR / "flags_eval.json"
    out.write_text(
        json.dumps(
            {
                "machine": info,
                "workers": args.workers,
                "worker_class": args.worker_class,
                "threads": args.threads if args.worker_class == "gthread" else 1,
                "seconds": args.seconds,
                "results": [asdict(r) for r in results],
                "summary": lines,
            },
            indent=2,
        )
    )
    print(f"raw results: {out}")
    if not with_flags:
        print("the flags evaluate endpoint was not there yet: only waffle was measured")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
