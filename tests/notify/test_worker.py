"""Outbox delivery driven by a real Celery worker (memory broker, solo pool)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from apps.notify import services
from apps.notify.models import OutboxMessage, OutboxStatus
from apps.notify.tasks import outbox_sweep_task
from apps.notify.transports import verify_signature
from tests.celery_worker import wait_until
from tests.notify.conftest import WEBHOOK_SECRET

pytestmark = [pytest.mark.celery_worker]


def _status(message_id) -> str:
    return OutboxMessage.objects.values_list("status", flat=True).get(pk=message_id)


def test_worker__webhook_fails_twice_then_accepts__delivered_exactly_once(
    celery_worker, make_receiver, webhook_channel, settings
):
    settings.NOTIFY_BACKOFF_SECONDS = 1
    receiver = make_receiver(statuses=[500, 500])
    channel = webhook_channel(receiver)

    message = services.notification_enqueue(
        channel=channel,
        subject="Incident S1 declared",
        body="Payouts halted",
        event="incident.declared",
    )

    wait_until(lambda: _status(message.pk) == OutboxStatus.DELIVERED)
    message.refresh_from_db()
    assert message.attempts == 3
    assert [r.status for r in receiver.requests] == [500, 500, 200]
    (accepted,) = receiver.accepted
    assert accepted.headers["X-OpsPortal-Delivery"] == str(message.pk)
    assert accepted.headers["X-OpsPortal-Event"] == "incident.declared"
    assert verify_signature(
        WEBHOOK_SECRET, accepted.headers["X-OpsPortal-Signature"], accepted.body
    )
    assert accepted.json()["subject"] == "Incident S1 declared"


def test_worker__receiver_always_fails__dead_letter(
    celery_worker, make_receiver, webhook_channel, settings
):
    settings.NOTIFY_BACKOFF_SECONDS = 1
    settings.NOTIFY_MAX_ATTEMPTS = 2
    receiver = make_receiver(statuses=[502] * 5)

    message = services.notification_enqueue(
        channel=webhook_channel(receiver), subject="s", body="b"
    )

    wait_until(lambda: _status(message.pk) == OutboxStatus.DEAD)
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.last_error == "HTTP 502"
    assert len(receiver.requests) == 2


def test_worker__sweeper_after_crashed_worker__redelivers_once(
    celery_worker, make_receiver, webhook_channel
):
    receiver = make_receiver()
    channel = webhook_channel(receiver)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    with time_machine.travel(an_hour_ago, tick=True), transaction.atomic():
        message = services.notification_enqueue(channel=channel, subject="s", body="b")
        # A worker claimed it an hour ago and died before sending: its lease ran out.
        assert services.outbox_claim(message_id=message.pk)
    # The delivery task queued on commit finds the message claimed and leaves it alone.

    outbox_sweep_task.delay()

    wait_until(lambda: _status(message.pk) == OutboxStatus.DELIVERED)
    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["X-OpsPortal-Delivery"] == str(message.pk)
