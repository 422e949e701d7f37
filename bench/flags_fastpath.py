"""flags_fastpath: one evaluate request in process, through the WSGI fast path and through
Django alone, in µs per request.

One command (about a minute, most of it migrating a throwaway database)::

    uv run python -m bench.flags_fastpath [--requests 2000]

It migrates a SQLite database in a temporary folder (never ``var/``), makes a super admin
and a ``flags:read`` token through the accounts services, blocks ``contribute`` for round
42, then sends ``GET /v1/flags/contribute/evaluate?round=42`` with the token as a WSGI
environ (no socket) to ``opsportal.wsgi.application`` (the fast path in front of Django)
and to ``django_application`` (Django alone), warm (token and flag version cached, as in
production), alternating the two paths over several rounds, and prints the median µs per
request of each and their ratio. That both paths answer the same is a test
(``tests/flags/test_fastpath.py``), and so is "a warm fast-path request makes no query";
this measures only how much faster the fast path is.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time

import django

PATH = "/v1/flags/contribute/evaluate"
QUERY = "round=42"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per path per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (the median is printed)")
    return parser.parse_args(argv)


def call(app, env: dict) -> int:
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])

    result = app(dict(env, **{"wsgi.input": io.BytesIO(b"")}), start_response)
    try:
        b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return answer["status"]


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    scratch = tempfile.TemporaryDirectory(prefix="bench-fastpath-")
    os.environ["SQLITE_PATH"] = os.path.join(scratch.name, "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsportal.settings")
    django.setup()

    from django.conf import settings
    from django.core.management import call_command

    # As in production: the token and the flag version are cached between requests.
    settings.FLAGS_VERSION_SOURCE = "cache"
    settings.FLAGS_VERSION_CACHE_SECONDS = 300
    settings.API_TOKEN_CACHE_SECONDS = 300

    call_command("migrate", verbosity=0)

    from apps.flags import services
    from bench.costs import environ_for
    from bench.data import make_admin, make_tokens

    admin = make_admin()
    (token,) = make_tokens(admin, ["flags:read"])
    services.flag_state_set(
        actor=admin,
        flag="contribute",
        state="blocked",
        scope_kind="round",
        scope_value="42",
        reason="benchmark: round 42 blocked",
    )

    from opsportal.wsgi import application, django_application

    env = environ_for(f"{PATH}?{QUERY}", token)
    paths = (("fast path", application), ("django", django_application))
    for name, app in paths:
        status = call(app, env)
        if status != 200:
            print(f"{name}: answered {status}, expected 200", file=sys.stderr)  # noqa: T201
            return 1
    per_round: dict[str, list[float]] = {name: [] for name, _app in paths}
    for _round in range(args.rounds):
        for name, app in paths:
            started = time.perf_counter()
            for _ in range(args.requests):
                call(app, env)
            per_round[name].append((time.perf_counter() - started) / args.requests * 1e6)
    medians = {name: statistics.median(values) for name, values in per_round.items()}
    print(  # noqa: T201
        f"fast path: {medians['fast path']:.0f} µs/request, "
        f"django: {medians['django']:.0f} µs/request, "
        f"ratio: {medians['django'] / medians['fast path']:.1f}x "
        f"(median of {args.rounds} rounds of {args.requests} requests, SQLite, in process)"
    )
    scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
