"""Prometheus metrics.

Counters live in prometheus_client's registry. Under gunicorn with several workers set
PROMETHEUS_MULTIPROC_DIR so every process writes to a shared folder and /metrics sums
them. Apps add gauges computed at scrape time through ``register_collector``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY

from apps.core.logging import get_logger

HTTP_REQUESTS = Counter(
    "opsportal_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "opsportal_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

_scrape_collectors: list[Callable[[], Iterable[GaugeMetricFamily]]] = []


# Label values must come from a small set: a caller choosing the method must not be able to
# create new time series.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


_log = get_logger(__name__)


def observe_request(*, method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in KNOWN_METHODS else "OTHER"
    HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
    HTTP_LATENCY.labels(method=method, route=route).observe(seconds)


def register_collector(func: Callable[[], Iterable[GaugeMetricFamily]]) -> None:
    """Register a function yielding metric families computed when /metrics is scraped."""
    if func not in _scrape_collectors:
        _scrape_collectors.append(func)


class _ScrapeCollector:
    def collect(self):
        # A collector that cannot read its figures (the database away, a bad row) leaves
        # its families out of this scrape; the others, and the request counters, still answer.
        for func in list(_scrape_collectors):
            try:
                families = list(func())
            except Exception:
                _log.exception("metrics.collector_failed", collector=getattr(func, "__name__", ""))
                continue
            yield from families


def render() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    output = generate_latest(registry)
    scrape_registry = CollectorRegistry()
    scrape_registry.register(_ScrapeCollector())
    output += generate_latest(scrape_registry)
    return output, CONTENT_TYPE_LATEST
