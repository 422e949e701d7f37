"""Where one API request's time goes, measured in-process (no profiler distortion).

Run by ``bench/flags_eval/run --costs`` with the benchmark's environment and database.
For each path it builds Django's WSGI handler with a timing probe around every
middleware, sends the request ``--requests`` times (WSGI environ, no socket), and
prints the median time each middleware adds (its code before and after the inner
layers) and the median time inside the innermost layer (URL resolution + the view).
Then it times the pieces of the DRF view on their own: token authentication, the
permission check, the flag evaluation, the version read from the cache, rendering.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time

import django

PROBES: list[list[float]] = []


def make_probe(index: int):
    class Probe:
        def __init__(self, get_response):
            self.get_response = get_response

        def __call__(self, request):
            marks = PROBES[-1]
            marks[2 * index] = time.perf_counter()
            response = self.get_response(request)
            marks[2 * index + 1] = time.perf_counter()
            return response

    Probe.__name__ = f"Probe{index}"
    return Probe


def environ_for(path: str, token: str) -> dict:
    path_info, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def layer_costs(paths: list[str], token: str, requests: int) -> list[tuple[str, float]]:
    """Median µs per middleware (exclusive) and for the innermost part, over ``requests``."""
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    names = list(settings.MIDDLEWARE)
    module = sys.modules[__name__]
    probed = []
    for index, name in enumerate(names):
        setattr(module, f"Probe{index}", make_probe(index))
        probed += [f"{__name__}.Probe{index}", name]
    inner = len(names)
    setattr(module, f"Probe{inner}", make_probe(inner))
    probed.append(f"{__name__}.Probe{inner}")
    settings.MIDDLEWARE = probed
    handler = WSGIHandler()

    statuses: dict[str, int] = {}

    def start_response(status, headers, exc_info=None):
        code = status.split()[0]
        statuses[code] = statuses.get(code, 0) + 1

    def call(path: str) -> float:
        PROBES.append([0.0] * (2 * inner + 2))
        started = time.perf_counter()
        chunks = handler(environ_for(path, token), start_response)
        for _chunk in chunks:
            pass
        if hasattr(chunks, "close"):
            chunks.close()
        return time.perf_counter() - started

    for number in range(min(200, requests)):  # warm-up: imports, snapshot, connections
        call(paths[number % len(paths)])
    PROBES.clear()
    totals = [call(paths[number % len(paths)]) for number in range(requests)]
    per_layer: list[list[float]] = [[] for _ in range(inner + 1)]
    for marks in PROBES:
        for index in range(inner):
            before = marks[2 * index + 2] - marks[2 * index]
            after = marks[2 * index + 1] - marks[2 * index + 3]
            per_layer[index].append(before + after)
        per_layer[inner].append(marks[2 * inner + 1] - marks[2 * inner])
    PROBES.clear()
    rows = [(name, statistics.median(per_layer[i]) * 1e6) for i, name in enumerate(names)]
    rows.append(("(innermost: URL resolution + view)", statistics.median(per_layer[inner]) * 1e6))
    rows.append(("(whole WSGI call, median)", statistics.median(totals) * 1e6))
    if set(statuses) != {"200"}:
        rows.append((f"WARNING: answers were {statuses}", 0.0))
    settings.MIDDLEWARE = names
    return rows


def piece_costs(token: str, flag_paths: list[str], requests: int) -> list[tuple[str, float]]:
    """Median µs of the evaluate view's pieces, each run on its own."""
    from django.core.cache import cache
    from django.http import JsonResponse
    from django.test import RequestFactory
    from rest_framework.request import Request

    from apps.accounts.api.permissions import ActionPermission
    from apps.accounts.authentication import TokenAuthentication
    from apps.accounts.models import ApiToken
    from apps.flags import evaluation
    from apps.flags.api.views import FlagEvaluateView

    factory = RequestFactory()

    def timed(function, count=requests) -> float:
        for _ in range(min(100, count)):
            function()
        samples = []
        for _ in range(count):
            started = time.perf_counter()
            function()
            samples.append(time.perf_counter() - started)
        return statistics.median(samples) * 1e6

    django_request = factory.get("/v1/flags/x/evaluate", HTTP_AUTHORIZATION=f"Bearer {token}")
    auth = TokenAuthentication()

    def authenticate():
        return auth.authenticate(Request(django_request))

    prefix = ApiToken.prefix_of(token)
    account_token = ApiToken.objects.select_related("service_account").get(prefix=prefix)
    drf_request = Request(django_request)
    drf_request.user, drf_request.auth = account_token.service_account, account_token
    view = FlagEvaluateView()
    view.action = None
    permission = ActionPermission()

    contexts = []
    for path in flag_paths[:500]:
        key = path.split("/")[3]
        query = path.partition("?")[2]
        context = dict(part.split("=", 1) for part in query.split("&") if part)
        contexts.append((key, context))
    position = [0]

    def evaluate():
        key, context = contexts[position[0] % len(contexts)]
        position[0] += 1
        return evaluation.evaluate(key, context)

    decision = evaluate()

    from django.urls import resolve

    sample_path = flag_paths[0].partition("?")[0]
    sample_key = sample_path.split("/")[3]
    sample_query = flag_paths[0].partition("?")[2]
    view_function = FlagEvaluateView.as_view()

    def whole_view():
        request = factory.get(f"{sample_path}?{sample_query}", HTTP_AUTHORIZATION=f"Bearer {token}")
        return view_function(request, key=sample_key)

    def token_query():
        return ApiToken.objects.select_related("service_account").filter(prefix=prefix).first()

    rows = [
        (
            "django.urls.resolve(evaluate path) (the whole URL map)",
            timed(lambda: resolve(sample_path)),
        ),
        ("the DRF view called directly (no middleware, no URL resolution)", timed(whole_view)),
        (
            "  RequestFactory().get(...) alone (to subtract)",
            timed(lambda: factory.get(sample_path)),
        ),
        ("TokenAuthentication.authenticate (token + account)", timed(authenticate)),
        ("  of which the token query (select_related, .first())", timed(token_query)),
        ("  of which ApiToken.hash_token (SHA-256)", timed(lambda: ApiToken.hash_token(token))),
        (
            "ActionPermission.has_permission (token scope)",
            timed(lambda: permission.has_permission(drf_request, view)),
        ),
        ("evaluation.evaluate (snapshot current; includes the version read)", timed(evaluate)),
        (
            "  of which evaluation.current_version (one Redis GET)",
            timed(evaluation.current_version),
        ),
        ("a bare cache.get of a missing key (Redis round trip)", timed(lambda: cache.get("x"))),
        ("JsonResponse(decision.as_dict())", timed(lambda: JsonResponse(decision.as_dict()))),
    ]
    return rows


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--token", required=True)
    parser.add_argument("--paths-file", action="append", default=[], help="label=file")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    flag_paths: list[str] = []
    for spec in args.paths_file:
        label, _, filename = spec.partition("=")
        with open(filename) as handle:
            paths = [line.strip() for line in handle if line.strip()]
        if paths[0].startswith("/v1/flags/"):
            flag_paths = paths
        print(f"\n### Per middleware, {label} ({args.requests} requests, median µs)\n")
        print("| layer | µs |")
        print("|---|---|")
        for name, micros in layer_costs(paths, args.token, args.requests):
            print(f"| {name} | {micros:.0f} |")
    if flag_paths:
        print("\n### Pieces of the evaluate view, each on its own (median µs)\n")
        print("| piece | µs |")
        print("|---|---|")
        for name, micros in piece_costs(args.token, flag_paths, args.requests):
            print(f"| {name} | {micros:.0f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
