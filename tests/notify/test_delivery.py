"""Outbox delivery at service level: claims, retries with backoff, dead letters, the sweeper."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.notify import services, transports
from apps.notify.models import OutboxMessage, OutboxStatus
from apps.notify.transports import verify_signature
from tests.notify.conftest import SLACK_PATH, TELEGRAM_TOKEN, WEBHOOK_SECRET

pytestmark = pytest.mark.django_db


def _enqueue(channel=None, contact_method=None, **kwargs) -> OutboxMessage:
    return services.notification_enqueue(
        channel=channel,
        contact_method=contact_method,
        subject=kwargs.pop("subject", "Page: payouts failing"),
        body=kwargs.pop("body", "Payout worker error rate above 5%"),
        event=kwargs.pop("event", "warroom.page"),
        **kwargs,
    )


def test_deliver__webhook_fails_twice_then_accepts__delivered_once_with_backoff(
    make_receiver, webhook_channel, settings
):
    settings.NOTIFY_BACKOFF_SECONDS = 1
    receiver = make_receiver(statuses=[500, 500])
    message = _enqueue(webhook_channel(receiver))
    start = timezone.now()

    with time_machine.travel(start, tick=False) as clock:
        first = services.outbox_deliver(message_id=message.pk)
        message.refresh_from_db()
        assert (first.result, first.retry_in) == ("retry", 1)
        assert message.status == OutboxStatus.PENDING
        assert message.next_attempt_at == start + timedelta(seconds=1)
        assert message.last_error == "HTTP 500"

        early = services.outbox_deliver(message_id=message.pk)
        assert early.result == "not_due"

        clock.shift(1)
        second = services.outbox_deliver(message_id=message.pk)
        assert (second.result, second.retry_in) == ("retry", 2)

        clock.shift(2)
        third = services.outbox_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert third.result == "delivered"
    assert message.status == OutboxStatus.DELIVERED
    assert message.attempts == 3
    assert message.last_error == ""
    assert [r.status for r in receiver.requests] == [500, 500, 200]
    (accepted,) = receiver.accepted
    assert {r.headers["X-OpsPortal-Delivery"] for r in receiver.requests} == {str(message.pk)}
    assert verify_signature(
        WEBHOOK_SECRET,
        accepted.headers["X-OpsPortal-Signature"],
        accepted.body,
        now=start.timestamp() + 3,
    )
    assert services.outbox_deliver(message_id=message.pk).result == "skipped"
    assert len(receiver.requests) == 3


def test_deliver__fails_every_time__dead_letter_after_max_attempts(
    make_receiver, webhook_channel, settings
):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_BACKOFF_SECONDS = 0
    receiver = make_receiver(statuses=[503] * 10)
    message = _enqueue(webhook_channel(receiver))

    outcomes = [services.outbox_deliver(message_id=message.pk).result for _ in range(4)]

    message.refresh_from_db()
    assert outcomes == ["retry", "retry", "dead", "skipped"]
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 3
    assert message.last_error == "HTTP 503"
    assert len(receiver.requests) == 3
    event = AuditEvent.objects.get(name="notify.dead_letter", target_id=str(message.pk))
    assert event.data["attempts"] == 3


def test_claim__message_already_claimed__second_claim_refused(make_receiver, webhook_channel):
    message = _enqueue(webhook_channel(make_receiver()))

    assert services.outbox_claim(message_id=message.pk) is True
    assert services.outbox_claim(message_id=message.pk) is False
    assert services.outbox_deliver(message_id=message.pk).result == "skipped"


def test_sweep__lease_expired_after_crash__message_redelivered_once(make_receiver, webhook_channel):
    receiver = make_receiver()
    message = _enqueue(webhook_channel(receiver))
    assert services.outbox_claim(message_id=message.pk)  # the worker that took it dies here

    assert services.outbox_sweep() == []  # the lease still runs: nobody else may send

    with time_machine.travel(timezone.now() + timedelta(seconds=301), tick=False):
        due = services.outbox_sweep()
        message.refresh_from_db()
        assert due == [str(message.pk)]
        assert message.status == OutboxStatus.PENDING
        outcome = services.outbox_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert outcome.result == "delivered"
    assert message.status == OutboxStatus.DELIVERED
    assert len(receiver.requests) == 1


def test_sweep__lease_expired_on_last_attempt__dead_letter(
    make_receiver, webhook_channel, settings
):
    settings.NOTIFY_MAX_ATTEMPTS = 1
    message = _enqueue(webhook_channel(make_receiver()))
    services.outbox_claim(message_id=message.pk)

    with time_machine.travel(timezone.now() + timedelta(seconds=301), tick=False):
        assert services.outbox_sweep() == []

    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert AuditEvent.objects.filter(name="notify.dead_letter", target_id=str(message.pk)).exists()


def test_deliver__channel_disabled_meanwhile__dead_at_once(
    make_receiver, webhook_channel, ops_user
):
    receiver = make_receiver()
    channel = webhook_channel(receiver)
    message = _enqueue(channel)
    services.channel_disable(actor=ops_user, channel=channel)

    outcome = services.outbox_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert outcome.result == "dead"
    assert message.last_error == "channel disabled"
    assert receiver.requests == []


def test_deliver__email_channel__sent_through_email_backend(make_channel, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    channel = make_channel(
        kind="email", config={"recipients": ["ops@example.test", "cto@example.test"]}
    )
    message = _enqueue(channel)

    assert services.outbox_deliver(message_id=message.pk).result == "delivered"

    (sent,) = mail.outbox
    assert sent.to == ["ops@example.test", "cto@example.test"]
    assert sent.subject == "Page: payouts failing"
    assert sent.extra_headers["X-OpsPortal-Delivery"] == str(message.pk)


def test_deliver__slack_channel__posts_text_to_incoming_webhook(make_receiver, make_channel):
    receiver = make_receiver()
    channel = make_channel(kind="slack", secret=f"{receiver.url}{SLACK_PATH}")

    assert services.outbox_deliver(message_id=_enqueue(channel).pk).result == "delivered"

    (request,) = receiver.requests
    assert request.path == SLACK_PATH
    assert "Page: payouts failing" in request.json()["text"]


def test_deliver__telegram_channel__posts_to_bot_api(make_receiver, make_channel, settings):
    receiver = make_receiver()
    settings.TELEGRAM_API_BASE = receiver.url
    channel = make_channel(kind="telegram", config={"chat_id": "-1001234"}, secret=TELEGRAM_TOKEN)

    assert services.outbox_deliver(message_id=_enqueue(channel).pk).result == "delivered"

    (request,) = receiver.requests
    assert request.path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
    assert request.json()["chat_id"] == "-1001234"


def test_deliver__telegram_down__stored_error_has_no_token(make_channel, settings):
    settings.TELEGRAM_API_BASE = "http://127.0.0.1:9"
    channel = make_channel(kind="telegram", config={"chat_id": "42"}, secret=TELEGRAM_TOKEN)
    message = _enqueue(channel)

    services.outbox_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.last_error == transports.UNREACHABLE
    assert TELEGRAM_TOKEN not in message.last_error


def test_enqueue__same_dedupe_key__one_message(make_receiver, webhook_channel):
    channel = webhook_channel(make_receiver())

    first = _enqueue(channel, dedupe_key="incident-7:update-3")
    second = _enqueue(channel, dedupe_key="incident-7:update-3")

    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


def test_enqueue__after_commit__delivery_task_is_queued(
    make_receiver, webhook_channel, django_capture_on_commit_callbacks
):
    channel = webhook_channel(make_receiver())

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _enqueue(channel)

    assert len(callbacks) == 1


def test_enqueue__neither_channel_nor_contact_method__refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        _enqueue()
    assert OutboxMessage.objects.count() == 0


def test_notify_people__each_contact_method__one_message(make_user):
    alice = make_user("ops", username="alice")
    bob = make_user("finance", username="bob")
    services.contact_method_create(actor=alice, kind="email", target="alice@example.test")
    services.contact_method_create(
        actor=alice, kind="telegram", target="777", secret=TELEGRAM_TOKEN
    )
    services.contact_method_create(actor=bob, kind="email", target="bob@example.test")

    messages = services.notify_people(
        users=[alice, bob], subject="On call", body="You are on call", dedupe_key="shift-1"
    )

    assert len(messages) == 3
    assert {m.contact_method.user.username for m in messages} == {"alice", "bob"}
    again = services.notify_people(
        users=[alice, bob], subject="On call", body="x", dedupe_key="shift-1"
    )
    assert {m.pk for m in again} == {m.pk for m in messages}
    assert OutboxMessage.objects.count() == 3


def test_contact_method_test__delivered__marks_method_verified(make_user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    person = make_user("support", username="sam")
    method = services.contact_method_create(actor=person, kind="email", target="sam@example.test")

    message = services.contact_method_send_test(actor=person, contact_method=method)
    services.outbox_deliver(message_id=message.pk)

    method.refresh_from_db()
    assert method.verified_at is not None
    assert mail.outbox[0].to == ["sam@example.test"]
    assert AuditEvent.objects.filter(name="notify.test_sent", target_id=str(method.pk)).exists()


def test_outbox_retry__dead_letter__pending_again_and_delivers(
    make_receiver, webhook_channel, ops_user, settings
):
    settings.NOTIFY_MAX_ATTEMPTS = 1
    receiver = make_receiver(statuses=[500])
    message = _enqueue(webhook_channel(receiver))
    services.outbox_deliver(message_id=message.pk)

    services.outbox_retry(actor=ops_user, message=message)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    assert services.outbox_deliver(message_id=message.pk).result == "delivered"
    assert AuditEvent.objects.filter(name="notify.outbox_retried").count() == 1
