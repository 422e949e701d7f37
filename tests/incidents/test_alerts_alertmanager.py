"""A real Alertmanager (Debian's prometheus-alertmanager) notifying the portal's intake.

Alertmanager runs on loopback with the shortest intervals it accepts; its webhook receiver
posts to a live server of the portal with a service token (scope ``alerts:write``), and a
real Celery worker processes the deliveries. Alerts are posted to Alertmanager's API v2 as
Prometheus would: fire, repeat (repeat_interval), resolve. The portal must end with one
alert group per fingerprint, one page, then resolution; the same with two Alertmanagers
clustered (HA), each sent every alert, as Prometheus does with an HA pair.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from apps.incidents.models import Alert, AlertDelivery, AlertGroup
from apps.oncall.models import Page
from tests.celery_worker import wait_until
from tests.conftest import alertmanager_binary
from tests.factories import make_token
from tests.incidents import alerts_fixtures as fx

ops, paging_team, route = fx.ops, fx.paging_team, fx.route

pytestmark = [pytest.mark.alertmanager, pytest.mark.celery_worker]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config(url: str, token: str) -> str:
    return json.dumps(  # YAML is a superset of JSON
        {
            "route": {
                "receiver": "portal",
                "group_by": ["alertname"],
                "group_wait": "100ms",
                "group_interval": "1s",
                "repeat_interval": "2s",
            },
            "receivers": [
                {
                    "name": "portal",
                    "webhook_configs": [
                        {
                            "url": url,
                            "send_resolved": True,
                            "max_alerts": 0,
                            "http_config": {
                                "authorization": {"type": "Bearer", "credentials": token}
                            },
                        }
                    ],
                }
            ],
        }
    )


class Alertmanagers:
    """One or more Alertmanager processes (clustered when more than one)."""

    def __init__(self, tmp_path: Path, url: str, token: str, count: int):
        self.processes: list[subprocess.Popen] = []
        self.api_ports: list[int] = []
        self.logs: list[Path] = []
        binary = alertmanager_binary()
        config = tmp_path / "alertmanager.yml"
        config.write_text(_config(url, token))
        cluster_ports = [_free_port() for _ in range(count)]
        for index in range(count):
            api_port = _free_port()
            storage = tmp_path / f"data{index}"
            storage.mkdir()
            log = tmp_path / f"alertmanager{index}.log"
            args = [
                binary,
                f"--config.file={config}",
                f"--storage.path={storage}",
                f"--web.listen-address=127.0.0.1:{api_port}",
                "--log.level=debug",
            ]
            if count == 1:
                args.append("--cluster.listen-address=")
            else:
                args += [
                    f"--cluster.listen-address=127.0.0.1:{cluster_ports[index]}",
                    f"--cluster.advertise-address=127.0.0.1:{cluster_ports[index]}",
                    "--cluster.peer-timeout=1s",
                    "--cluster.gossip-interval=50ms",
                    "--cluster.pushpull-interval=1s",
                    "--cluster.settle-timeout=1s",
                ]
                args += [
                    f"--cluster.peer=127.0.0.1:{port}"
                    for other, port in enumerate(cluster_ports)
                    if other != index
                ]
            self.processes.append(
                subprocess.Popen(args, stdout=log.open("wb"), stderr=subprocess.STDOUT)
            )
            self.api_ports.append(api_port)
            self.logs.append(log)
        for port in self.api_ports:
            wait_until(lambda port=port: self._ready(port), timeout=30)

    @staticmethod
    def _ready(port: int) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def post(self, alerts: list[dict]) -> None:
        """Send the alerts to every instance, as Prometheus does with an HA pair."""
        body = json.dumps(alerts).encode()
        for port in self.api_ports:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v2/alerts",
                data=body,
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=5) as answer:
                assert answer.status == 200

    def stop(self) -> None:
        # Killed: their state is a temporary folder, and a clean cluster leave takes seconds.
        for process in self.processes:
            process.kill()
        for process in self.processes:
            process.wait(timeout=10)

    def log_text(self) -> str:
        return "\n".join(log.read_text(errors="replace")[-3000:] for log in self.logs)


@pytest.fixture
def alertmanagers(live_server, celery_worker, tmp_path, route):
    token, plaintext = make_token(scopes=["alerts:write"])
    started: list[Alertmanagers] = []

    def _start(count: int = 1) -> Alertmanagers:
        managers = Alertmanagers(
            tmp_path, f"{live_server.url}/v1/alerts/alertmanager", plaintext, count
        )
        started.append(managers)
        return managers

    yield _start
    for managers in started:
        managers.stop()


def _rfc(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _fire_repeat_resolve(managers: Alertmanagers) -> None:
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5)
    labels = {"alertname": "IndexerLag", "service": "indexer", "severity": "page"}
    annotations = {"summary": "Indexer lag over 5 min", "runbook_url": "https://rb.test/lag"}
    firing = [
        {
            "labels": labels,
            "annotations": annotations,
            "startsAt": _rfc(starts),
            "endsAt": _rfc(starts + timedelta(minutes=10)),
            "generatorURL": "http://prometheus.test/graph",
        }
    ]
    managers.post(firing)
    try:
        wait_until(
            lambda: AlertGroup.objects.filter(state="firing").exists() and Page.objects.exists(),
            timeout=30,
        )
        # A repeat: Alertmanager notifies the same group again after repeat_interval.
        first = AlertDelivery.objects.count()
        managers.post(firing)  # Prometheus re-sends firing alerts on every evaluation
        wait_until(
            lambda: AlertDelivery.objects.filter(processed_at__isnull=False).count() > first,
            timeout=30,
        )
        resolved = [{**firing[0], "endsAt": _rfc(datetime.now(UTC) - timedelta(seconds=1))}]
        managers.post(resolved)
        wait_until(lambda: AlertGroup.objects.filter(state="resolved").exists(), timeout=30)
        wait_until(
            lambda: not AlertDelivery.objects.filter(processed_at__isnull=True).exists(),
            timeout=30,
        )
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nAlertmanager said:\n{managers.log_text()}") from exc


def test_real_alertmanager__fire_repeat_resolve__one_group_one_page(alertmanagers):
    managers = alertmanagers(1)

    _fire_repeat_resolve(managers)

    group = AlertGroup.objects.get()
    assert group.state == "resolved" and group.alertname == "IndexerLag"
    assert Page.objects.count() == 1 and Page.objects.get().subject == group
    assert Alert.objects.filter(status="firing").count() == 1
    assert Alert.objects.filter(status="resolved").count() == 1
    assert AlertDelivery.objects.count() >= 3  # first, repeat(s), resolved


def test_real_alertmanager_ha_pair__still_one_group_one_page(alertmanagers):
    managers = alertmanagers(2)
    time.sleep(1)  # let the two peers find each other (settle timeout)

    _fire_repeat_resolve(managers)

    group = AlertGroup.objects.get()
    assert group.state == "resolved"
    assert Page.objects.count() == 1
    assert Alert.objects.filter(status="firing").count() == 1
    assert Alert.objects.filter(status="resolved").count() == 1
