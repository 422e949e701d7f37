"""The demo's webhook receiver: where the demo people's webhooks and the teams' war-room
channels point, so notifications are really delivered on one machine.

``manage.py demo`` runs it in a thread on a loopback port while it serves. It answers
every POST with 200 and appends one JSON line per delivery to ``var/demo/webhooks.jsonl``
(when, the path, the delivery id, the event and the subject; never headers or
signatures). Not for production: it checks no signature and keeps everything.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MAX_BODY_BYTES = 1_000_000


class DemoReceiver:
    """A loopback HTTP server that records the webhook deliveries it receives."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, log_path: Path):
        self.log_path = Path(log_path)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DemoReceiver:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="demo-receiver", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def received(self) -> list[dict]:
        """Every delivery recorded so far, oldest first."""
        if not self.log_path.exists():
            return []
        with self._lock:
            lines = self.log_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def _record(self, entry: dict) -> None:
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True)
        with self._lock, self.log_path.open("a", encoding="utf-8") as log:
            log.write(line + "\n")

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY_BYTES)
                body = self.rfile.read(length)
                try:
                    payload = json.loads(body or b"{}")
                except ValueError:
                    payload = {}
                if not isinstance(payload, dict):
                    payload = {}
                receiver._record(
                    {
                        "received_at": datetime.now(UTC).isoformat(),
                        "path": self.path,
                        "delivery_id": self.headers.get("X-OpsPortal-Delivery", ""),
                        "event": self.headers.get("X-OpsPortal-Event", ""),
                        "subject": str(payload.get("subject", ""))[:300],
                    }
                )
                answer = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format, *args):  # noqa: A002 - the log file says enough
                pass

        return Handler
