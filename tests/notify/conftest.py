"""Fixtures for notification tests: a loopback HTTP receiver and ready-made channels."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.notify.models import Channel

WEBHOOK_SECRET = "whsec-test-0123456789abcdef"
SLACK_PATH = "/services/T000/B000/slack-secret-part"
TELEGRAM_TOKEN = "123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ"


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """A loopback HTTP server that answers POSTs with scripted statuses (then 200)."""

    statuses: list[int] = field(default_factory=list)
    requests: list[ReceivedRequest] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def accepted(self) -> list[ReceivedRequest]:
        return [r for r in self.requests if 200 <= r.status < 300]

    def next_status(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if self.statuses else 200


def _handler_for(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            status = receiver.next_status()
            with receiver.lock:
                receiver.requests.append(
                    ReceivedRequest(self.path, dict(self.headers.items()), body, status)
                )
            payload = b'{"ok": true}' if status < 300 else b'{"ok": false}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
            pass

    return Handler


@pytest.fixture
def make_receiver():
    """``make_receiver(statuses=[500, 500])`` -> a running Receiver on 127.0.0.1."""
    servers = []

    def _make(statuses=None) -> Receiver:
        receiver = Receiver(statuses=list(statuses or []))
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(receiver))
        server.daemon_threads = True
        receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append(server)
        return receiver

    yield _make
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def ops_user(make_user):
    return make_user("ops", username="olga-ops")


@pytest.fixture
def make_channel(ops_user):
    """Create a channel through the service, as an ops person would."""
    from apps.notify import services

    def _make(*, kind="webhook", name=None, config=None, secret=None, **kwargs) -> Channel:
        return services.channel_create(
            actor=ops_user,
            name=name or f"{kind} channel",
            kind=kind,
            config=config or {},
            secret=secret if secret is not None else "",
            **kwargs,
        )

    return _make


@pytest.fixture
def webhook_channel(make_channel):
    def _make(receiver: Receiver, **kwargs) -> Channel:
        return make_channel(
            kind="webhook",
            config={"url": f"{receiver.url}/hooks/opsportal"},
            secret=WEBHOOK_SECRET,
            **kwargs,
        )

    return _make
