"""Request id and metrics middleware."""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse

from apps.core import context, metrics


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
            remote_addr=request.META.get("REMOTE_ADDR"),
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
