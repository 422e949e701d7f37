"""Outbox delivery on production's queue (Redis) when the worker delivering is killed."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from apps.notify import services
from apps.notify.models import OutboxMessage, OutboxStatus
from apps.notify.tasks import outbox_sweep_task
from tests.celery_worker import lock_waiters, wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.redis]


def _status(message_id) -> str:
    return OutboxMessage.objects.values_list("status", flat=True).get(pk=message_id)


def test_outbox_delivery__worker_killed_while_claiming__delivered_once_after_restart(
    worker_processes, make_receiver, webhook_channel
):
    receiver = make_receiver()
    message = services.notification_enqueue(
        channel=webhook_channel(receiver),
        subject="Incident S1 declared",
        body="Payouts halted",
        event="incident.declared",
    )

    # Its delivery task waits in Redis. Hold the outbox row, so the first worker is inside
    # the task, claiming the message, when it is killed.
    with transaction.atomic():
        OutboxMessage.objects.select_for_update().get(pk=message.pk)
        first = worker_processes(NOTIFY_LEASE_SECONDS="3")
        wait_until(lambda: lock_waiters() >= 1, timeout=60)
        first.kill()

    second = worker_processes(NOTIFY_LEASE_SECONDS="3")
    last_sweep = 0.0

    def delivered():
        nonlocal last_sweep
        if time.monotonic() - last_sweep >= 1.0:  # beat's sweep, every second here
            last_sweep = time.monotonic()
            outbox_sweep_task.delay()
        return _status(message.pk) == OutboxStatus.DELIVERED

    wait_until(delivered, timeout=90)
    second.stop()

    assert [r.headers["X-OpsPortal-Delivery"] for r in receiver.requests] == [str(message.pk)]
    assert [r.status for r in receiver.requests] == [200]
    message.refresh_from_db()
    # The killed worker's claim was written (PostgreSQL finishes a statement whose client
    # is gone) and its lease ran out: the sweeper handed the message back, and that lost
    # attempt is counted. Nothing was sent by it.
    assert message.attempts == 2
    assert message.delivered_at is not None and message.last_error == ""
    assert OutboxMessage.objects.count() == 1


class HeldReceiver:
    """A loopback webhook receiver that holds the first request open until released, and
    processes each delivery id once (as receivers are asked to)."""

    def __init__(self):
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.delivery_ids: list[str] = []
        self.processed: set[str] = set()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                delivery_id = self.headers["X-OpsPortal-Delivery"]
                with receiver.lock:
                    first = not receiver.delivery_ids
                    receiver.delivery_ids.append(delivery_id)
                    receiver.processed.add(delivery_id)
                if first:
                    receiver.arrived.set()
                    receiver.release.wait(60)
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender is gone

            def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def held_receiver():
    receiver = HeldReceiver()
    yield receiver
    receiver.close()


def test_outbox_delivery__worker_killed_mid_request__resent_with_the_same_delivery_id(
    worker_processes, held_receiver, webhook_channel
):
    message = services.notification_enqueue(
        channel=webhook_channel(held_receiver),
        subject="Incident S1 declared",
        body="Payouts halted",
        event="incident.declared",
    )
    first = worker_processes(NOTIFY_LEASE_SECONDS="3")
    assert held_receiver.arrived.wait(60), first.log

    first.kill()  # the request reached the receiver; its answer never comes back
    held_receiver.release.set()
    second = worker_processes(NOTIFY_LEASE_SECONDS="3")
    last_sweep = 0.0

    def delivered():
        nonlocal last_sweep
        if time.monotonic() - last_sweep >= 1.0:
            last_sweep = time.monotonic()
            outbox_sweep_task.delay()
        return _status(message.pk) == OutboxStatus.DELIVERED

    wait_until(delivered, timeout=90)
    second.stop()

    # Sent again once its lease ran out, under the same delivery id: the receiver that
    # de-duplicates on it processes the notification once; the outbox records one delivery.
    assert held_receiver.delivery_ids == [str(message.pk)] * 2
    assert held_receiver.processed == {str(message.pk)}
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DELIVERED, 2)
    assert OutboxMessage.objects.count() == 1
