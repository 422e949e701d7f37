"""flags_propagation: how long until every gunicorn worker serves a flag change.

One command (``bench/flags_propagation/run``, or ``uv run python -m bench.flags_propagation``):

1. recreates PostgreSQL database ``bench_flags_propagation``, migrates it (production
   settings), and makes the same data as flags_eval (50 flags, 10,000 scoped states) plus
   a ``flags:read`` and a ``flags:write`` token (accounts services);
2. starts gunicorn with 4 sync workers; the bench settings add ``X-Worker-Pid`` to every
   answer (bench-only middleware) so a client knows which worker answered;
3. makes 100 changes through ``POST /v1/admin/system-flags/set``. Default mode ``toggle``
   alternates a global block and unblock of ``feed.post`` (not fund-related, so both
   directions apply at once with 201); mode ``rounds`` blocks ``contribute`` for a new
   round each time (always the safe direction). After each 201, several pollers send
   ``GET /v1/flags/{key}/evaluate`` on fresh connections (``Connection: close``) until
   each of the 4 workers has answered with the new state;
4. records, per change, the time from receiving the 201 to receiving the first new-state
   answer from the last of the 4 workers (an upper bound: it includes one poll's round
   trip), and any worker that answered the old state again after the new one;
5. prints p50/p90/p99/max; stops gunicorn.

``--quick`` makes 20 changes instead of 100.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

from bench import harness
from bench.harness import Gunicorn, Stack, log

WORKERS = 4
POLLERS = 8
CHANGE_DEADLINE_SECONDS = 10.0
TARGET_P99_MS = 1000.0
AIM_MS = 100.0
TOGGLE_FLAG = "feed.post"
ROUNDS_FLAG = "contribute"
# Rounds the data generator never uses (it draws 1-500), so each block is a new state.
FIRST_FREE_ROUND = 90001


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/flags_propagation/run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="20 changes instead of 100")
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--mode", choices=["toggle", "rounds"], default="toggle")
    parser.add_argument("--pollers", type=int, default=POLLERS, help="parallel poll clients")
    parser.add_argument("--flags", type=int, default=50)
    parser.add_argument("--states", type=int, default=10000)
    args = parser.parse_args(argv)
    if args.quick:
        args.changes = 20
    return args


@dataclass
class Change:
    number: int
    path: str
    expect_allowed: bool
    post_ms: float = 0.0
    seconds_to_all: float | None = None
    first_seen: dict[int, float] = field(default_factory=dict)
    polls: int = 0
    poll_ms: list[float] = field(default_factory=list)
    regressions: int = 0
    errors: list[str] = field(default_factory=list)


def http_request(port: int, method: str, path: str, token: str, body: dict | None = None):
    """One request on a fresh connection; (status, headers, parsed JSON body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        headers = {"Authorization": f"Bearer {token}", "Connection": "close"}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
            headers["Idempotency-Key"] = str(uuid.uuid4())
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        return response.status, dict(response.getheaders()), json.loads(raw) if raw else None
    finally:
        connection.close()


def poll_until_agreed(
    port: int, token: str, change: Change, started: float, workers: set[int], pollers: int
) -> None:
    """Pollers hit the evaluate path until every worker answered the new state once."""
    lock = threading.Lock()
    done = threading.Event()
    agreed: set[int] = set()
    deadline = started + CHANGE_DEADLINE_SECONDS

    def poller() -> None:
        while not done.is_set() and time.monotonic() < deadline:
            sent = time.monotonic()
            try:
                status, headers, body = http_request(port, "GET", change.path, token)
            except OSError as exc:
                with lock:
                    change.errors.append(f"poll: {type(exc).__name__}: {exc}")
                continue
            received = time.monotonic()
            with lock:
                change.polls += 1
                change.poll_ms.append((received - sent) * 1000)
                if status != 200 or body is None:
                    change.errors.append(f"poll: HTTP {status}")
                    continue
                pid = int(headers.get("X-Worker-Pid", "0"))
                if body["allowed"] == change.expect_allowed:
                    if pid not in change.first_seen:
                        change.first_seen[pid] = received - started
                        agreed.add(pid)
                        if workers <= agreed:
                            done.set()
                elif pid in change.first_seen:
                    change.regressions += 1

    threads = [threading.Thread(target=poller, daemon=True) for _ in range(pollers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=CHANGE_DEADLINE_SECONDS + 10)
    if workers <= agreed:
        change.seconds_to_all = max(change.first_seen[pid] for pid in workers)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 100 values is the 99th smallest)."""
    ordered = sorted(values)
    rank = max(1, int(-(-pct * len(ordered) // 100)))
    return ordered[min(rank, len(ordered)) - 1]


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    info = harness.machine_info()
    harness.print_machine(info)
    stack = Stack(
        name="flags_propagation", db_name="bench_flags_propagation", cache_prefix="bench_prop"
    )
    changes: list[Change] = []
    mode = args.mode
    budget = 900 + args.changes * (CHANGE_DEADLINE_SECONDS + 2)
    try:
        with harness.bounded(budget, "flags_propagation"):
            harness.reset_database(stack)
            log(
                f"generating data: {args.flags} flags, {args.states} scoped states, "
                "a flags:read and a flags:write token"
            )
            data = harness.bench_data(
                stack,
                "--token",
                "flags:read",
                "--token",
                "flags:write",
                "--flags",
                str(args.flags),
                "--states",
                str(args.states),
            )
            reader, writer = data["tokens"]
            server = Gunicorn(stack, workers=WORKERS, extra_env={"BENCH_WORKER_HEADER": "1"})
            with server:
                workers = set(server.worker_pids())
                log(f"workers: {sorted(workers)}")
                rng = random.Random(11)
                # The current state of the toggled flag, as the server answers it now.
                status, _headers, body = http_request(
                    server.port, "GET", f"/v1/flags/{TOGGLE_FLAG}/evaluate", reader
                )
                if status != 200:
                    raise SystemExit(f"evaluate {TOGGLE_FLAG}: HTTP {status} {body}")
                allowed_now = body["allowed"]
                # Every worker answers once before the first change (imports, snapshot).
                warm = Change(
                    number=0, path=f"/v1/flags/{TOGGLE_FLAG}/evaluate", expect_allowed=allowed_now
                )
                poll_until_agreed(
                    server.port, reader, warm, time.monotonic(), workers, args.pollers
                )
                if warm.seconds_to_all is None:
                    raise SystemExit(f"warm-up: not every worker answered: {warm.errors[:3]}")
                log(f"warm-up: every worker answered ({warm.polls} requests)")
                for number in range(1, args.changes + 1):
                    if mode == "toggle":
                        want_allowed = not allowed_now
                        request = {
                            "flag": TOGGLE_FLAG,
                            "state": "allowed" if want_allowed else "blocked",
                            "reason": f"propagation benchmark change {number}",
                        }
                        path = f"/v1/flags/{TOGGLE_FLAG}/evaluate"
                    else:
                        want_allowed = False
                        round_id = FIRST_FREE_ROUND + number
                        request = {
                            "flag": ROUNDS_FLAG,
                            "state": "blocked",
                            "reason": f"propagation benchmark change {number}",
                            "scope": {"kind": "round", "value": str(round_id)},
                        }
                        path = f"/v1/flags/{ROUNDS_FLAG}/evaluate?round={round_id}"
                    change = Change(number=number, path=path, expect_allowed=want_allowed)
                    posted = time.monotonic()
                    status, _headers, body = http_request(
                        server.port, "POST", "/v1/admin/system-flags/set", writer, request
                    )
                    started = time.monotonic()
                    change.post_ms = (started - posted) * 1000
                    if status != 201:
                        if mode == "toggle" and number <= 2:
                            log(
                                f"toggle answered HTTP {status} ({json.dumps(body)[:300]}); "
                                "switching to mode 'rounds' (safe direction only)"
                            )
                            mode = "rounds"
                            continue
                        raise SystemExit(f"change {number}: HTTP {status} {body}")
                    workers = set(server.worker_pids())  # a restarted worker has a new pid
                    poll_until_agreed(server.port, reader, change, started, workers, args.pollers)
                    changes.append(change)
                    allowed_now = want_allowed
                    if change.seconds_to_all is None:
                        log(f"change {number}: not every worker agreed within the deadline")
                    elif number % 10 == 0 or number == 1:
                        log(
                            f"change {number}: all {WORKERS} workers after "
                            f"{change.seconds_to_all * 1000:.1f} ms ({change.polls} polls)"
                        )
                    # Unsynchronised with any cache expiry: a random pause between changes.
                    time.sleep(rng.uniform(0.05, 0.25))
    finally:
        stack.cleanup()

    report(args, info, mode, changes)
    return 0


def report(args, info, mode: str, changes: list[Change]) -> None:
    agreed = [c.seconds_to_all * 1000 for c in changes if c.seconds_to_all is not None]
    missed = [c.number for c in changes if c.seconds_to_all is None]
    regressions = sum(c.regressions for c in changes)
    errors = [e for c in changes for e in c.errors]
    first = [min(c.first_seen.values()) * 1000 for c in changes if c.first_seen]
    polls = [c.polls for c in changes]
    posts = [c.post_ms for c in changes]
    print()
    print(
        f"== flags_propagation: {WORKERS} gunicorn sync workers, {len(changes)} changes "
        f"(mode {mode}), {args.pollers} pollers on fresh connections"
    )
    harness.print_machine(info)
    if agreed:
        print("| measure | n | p50 ms | p90 ms | p99 ms | max ms | mean ms |")
        print("|---|---|---|---|---|---|---|")
        for label, values in (
            ("201 → last worker serves the new state", agreed),
            ("201 → first worker serves it", first),
            ("POST /v1/admin/system-flags/set round trip", posts),
        ):
            print(
                f"| {label} | {len(values)} | {percentile(values, 50):.1f} | "
                f"{percentile(values, 90):.1f} | {percentile(values, 99):.1f} | "
                f"{max(values):.1f} | {statistics.fmean(values):.1f} |"
            )
        p99 = percentile(agreed, 99)
        print(
            f"target p99 <= {TARGET_P99_MS:.0f} ms: {'met' if p99 <= TARGET_P99_MS else 'MISSED'}"
            f" ({p99:.1f} ms); aim {AIM_MS:.0f} ms: "
            f"{'met' if p99 <= AIM_MS else 'not met'}"
        )
    print(
        f"changes where not every worker agreed within {CHANGE_DEADLINE_SECONDS:.0f} s: "
        f"{len(missed)} {missed[:10]}"
    )
    print(f"answers of the old state after a worker had served the new one: {regressions}")
    print(f"poll errors: {len(errors)} {errors[:3]}")
    if polls:
        print(f"polls per change: median {statistics.median(polls):.0f}, max {max(polls)}")
    poll_ms = [ms for c in changes for ms in c.poll_ms]
    if poll_ms:
        median_poll = statistics.median(poll_ms)
        print(
            f"one poll's round trip (fresh connection): median {median_poll:.1f} ms, "
            f"p90 {percentile(poll_ms, 90):.1f} ms: the resolution of the figures above"
        )
    out = harness.RESULTS_DIR / "flags_propagation.json"
    out.write_text(
        json.dumps(
            {
                "machine": info,
                "mode": mode,
                "workers": WORKERS,
                "pollers": args.pollers,
                "changes": [
                    {
                        "number": c.number,
                        "path": c.path,
                        "expect_allowed": c.expect_allowed,
                        "post_ms": c.post_ms,
                        "ms_to_all": None if c.seconds_to_all is None else c.seconds_to_all * 1000,
                        "first_seen_ms": {str(k): v * 1000 for k, v in c.first_seen.items()},
                        "polls": c.polls,
                        "regressions": c.regressions,
                        "errors": c.errors[:5],
                    }
                    for c in changes
                ],
            },
            indent=2,
        )
    )
    print(f"raw results: {out}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
