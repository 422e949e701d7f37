"""Request id and metrics middleware."""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse

from apps.core import context, metrics
from apps.core.client_ip import client_ip


class RequestIdMiddleware:
    """Accept or make an X-Request-ID, bind it (and the lazy actor) for the request, echo it."""

    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = context.clean_request_id(request.headers.get(self.header))
        request.request_id = request_id
        # The actor is read lazily: DRF replaces request.user inside the view for tokens.
        with context.bind(
            request_id=request_id,
            actor=lambda: getattr(request, "user", None),
            remote_addr=client_ip(request),
        ):
            response = self.get_response(request)
        response[self.header] = request_id
        return response


class MetricsMiddleware:
    """Counts requests and their latency per route template (never per raw path)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None and match.route else "unmatched"
        metrics.observe_request(
            method=request.method or "",
            route=route,
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response


class DebugApiNotFoundMiddleware:
    """With DEBUG on, Django answers an unknown URL with its HTML debug page; under /v1/
    automation expects the same JSON 404 as in production. Installed only when DEBUG."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/v1/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            from apps.core.views import not_found

            return not_found(request)
        return response
