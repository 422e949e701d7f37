"""/metrics: Prometheus text, loopback-only unless METRICS_TOKEN is set."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.parser import text_string_to_metric_families

from apps.core import metrics


def parse(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def request_count(families: dict, *, route: str, status: str) -> float:
    family = families["opsportal_http_requests"]
    return sum(
        sample.value
        for sample in family.samples
        if sample.name == "opsportal_http_requests_total"
        and sample.labels.get("route") == route
        and sample.labels.get("status") == status
    )


def test_metrics__loopback__prometheus_text_counting_requests_by_route(client):
    before = parse(client.get("/metrics").content.decode())
    client.get("/health")
    client.get("/health")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    families = parse(response.content.decode())
    counted = request_count(families, route="health", status="200")
    assert counted - request_count(before, route="health", status="200") == 2
    latency = families["opsportal_http_request_seconds"]
    assert any(s.labels.get("route") == "health" for s in latency.samples)
    assert settings.SECRET_KEY not in response.content.decode()


def test_metrics__unknown_path__counted_without_the_raw_path(client):
    client.get("/no-such-page-4711")

    text = client.get("/metrics").content.decode()

    assert "no-such-page-4711" not in text
    assert request_count(parse(text), route="unmatched", status="404") >= 1


def test_metrics__made_up_method__counted_as_other(client):
    client.generic("BREW", "/health")

    families = parse(client.get("/metrics").content.decode())

    methods = {s.labels.get("method") for s in families["opsportal_http_requests"].samples}
    assert "BREW" not in methods
    assert "OTHER" in methods


def test_metrics__remote_caller__403(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 403
    assert "opsportal_http_requests" not in response.content.decode()


def test_metrics__relayed_by_local_proxy__403(client):
    response = client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert response.status_code == 403


@override_settings(METRICS_TOKEN="scrape-token-for-tests-0123456789")
@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        (None, 403),
        ("Bearer wrong-token", 403),
        ("Basic scrape-token-for-tests-0123456789", 403),
        ("Bearer scrape-token-for-tests-0123456789", 200),
    ],
)
def test_metrics__token_set__only_the_bearer_token_scrapes(client, authorization, expected):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", **headers)

    assert response.status_code == expected


def test_register_collector__scrape_time_gauge__appears_in_metrics(client, monkeypatch):
    monkeypatch.setattr(metrics, "_scrape_collectors", [])

    def open_incidents():
        gauge = GaugeMetricFamily("opsportal_test_open_things", "Things open", labels=["kind"])
        gauge.add_metric(["sample"], 3)
        yield gauge

    metrics.register_collector(open_incidents)
    metrics.register_collector(open_incidents)

    families = parse(client.get("/metrics").content.decode())

    samples = families["opsportal_test_open_things"].samples
    assert [(s.labels, s.value) for s in samples] == [({"kind": "sample"}, 3.0)]


_REQUEST = """
import django
django.setup()
from django.test import Client
print(Client().get({path!r}).content.decode())
"""


def test_metrics__multiprocess_dir__sums_every_process(tmp_path):
    """Under gunicorn each worker is a process; /metrics must add them up."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "opsportal.settings")

    def run(path: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", _REQUEST.format(path=path)],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout

    run("/health")
    run("/health")
    text = run("/metrics")

    assert request_count(parse(text), route="health", status="200") == 2
