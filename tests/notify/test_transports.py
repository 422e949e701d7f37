import json
import time

import pytest
from django.core import mail

from apps.notify import transports
from apps.notify.transports import DeliveryError, Envelope, sign, verify_signature
from tests.notify.conftest import SLACK_PATH, TELEGRAM_TOKEN, WEBHOOK_SECRET

ENVELOPE = Envelope(
    delivery_id="5b0f3c1e-1111-4a4a-9999-000000000001",
    subject="Kill switch flipped",
    body="contribute is blocked globally",
    event="flag.blocked",
    payload={"flag": "contribute"},
)


# --- signatures ----------------------------------------------------------------------


def test_verify_signature__signed_body__accepts():
    body = b'{"id": "1"}'
    assert verify_signature(WEBHOOK_SECRET, sign(WEBHOOK_SECRET, body), body) is True


def test_verify_signature__str_body__accepts_like_bytes():
    assert verify_signature(WEBHOOK_SECRET, sign(WEBHOOK_SECRET, "héllo"), "héllo".encode())


@pytest.mark.parametrize(
    ("secret", "body"),
    [("wrong-secret-value", b'{"id": "1"}'), (WEBHOOK_SECRET, b'{"id": "2"}')],
    ids=["wrong secret", "tampered body"],
)
def test_verify_signature__wrong_secret_or_body__refuses(secret, body):
    header = sign(WEBHOOK_SECRET, b'{"id": "1"}')
    assert verify_signature(secret, header, body) is False


@pytest.mark.parametrize("age", [301, -301, 3600])
def test_verify_signature__timestamp_outside_tolerance__refuses(age):
    body = b"{}"
    header = sign(WEBHOOK_SECRET, body, timestamp=int(time.time()) - age)
    assert verify_signature(WEBHOOK_SECRET, header, body, tolerance=300) is False


@pytest.mark.parametrize("header", [None, "", "v1=abc", "t=notanumber,v1=abc", "t=123", "garbage"])
def test_verify_signature__malformed_header__refuses(header):
    assert verify_signature(WEBHOOK_SECRET, header, b"{}") is False


# --- HTTP transports -----------------------------------------------------------------


def test_send_webhook__receiver__gets_signed_json_with_delivery_and_event(make_receiver):
    receiver = make_receiver()

    transports.send_webhook(url=f"{receiver.url}/in", secret=WEBHOOK_SECRET, envelope=ENVELOPE)

    (request,) = receiver.requests
    assert request.path == "/in"
    assert request.headers["X-OpsPortal-Delivery"] == ENVELOPE.delivery_id
    assert request.headers["X-OpsPortal-Event"] == "flag.blocked"
    assert request.headers["Content-Type"] == "application/json"
    assert verify_signature(WEBHOOK_SECRET, request.headers["X-OpsPortal-Signature"], request.body)
    document = request.json()
    assert document["id"] == ENVELOPE.delivery_id
    assert document["payload"] == {"flag": "contribute"}


def test_send_webhook__receiver_answers_500__raises_without_url(make_receiver):
    receiver = make_receiver(statuses=[500])

    with pytest.raises(DeliveryError) as failure:
        transports.send_webhook(url=f"{receiver.url}/in", secret=WEBHOOK_SECRET, envelope=ENVELOPE)

    assert str(failure.value) == "HTTP 500"


def test_send_slack__receiver__gets_text(make_receiver):
    receiver = make_receiver()

    transports.send_slack(webhook_url=f"{receiver.url}{SLACK_PATH}", envelope=ENVELOPE)

    (request,) = receiver.requests
    assert request.path == SLACK_PATH
    assert request.json() == {"text": "*Kill switch flipped*\ncontribute is blocked globally"}


def test_send_telegram__receiver__gets_chat_and_text_at_bot_url(make_receiver, settings):
    receiver = make_receiver()
    settings.TELEGRAM_API_BASE = receiver.url

    transports.send_telegram(bot_token=TELEGRAM_TOKEN, chat_id="-100200300", envelope=ENVELOPE)

    (request,) = receiver.requests
    assert request.path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
    assert request.json() == {
        "chat_id": "-100200300",
        "text": "Kill switch flipped\n\ncontribute is blocked globally",
    }


def test_send_telegram__unreachable__error_names_neither_url_nor_token(settings):
    settings.TELEGRAM_API_BASE = "http://127.0.0.1:9"  # discard port: nothing listens

    with pytest.raises(DeliveryError) as failure:
        transports.send_telegram(bot_token=TELEGRAM_TOKEN, chat_id="1", envelope=ENVELOPE)

    text = str(failure.value)
    assert text == transports.UNREACHABLE
    assert TELEGRAM_TOKEN not in text
    assert "127.0.0.1" not in text


def test_send_email__locmem__sends_with_delivery_header(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    transports.send_email(recipients=["ops@example.test"], envelope=ENVELOPE)

    (message,) = mail.outbox
    assert message.to == ["ops@example.test"]
    assert message.subject == "Kill switch flipped"
    assert message.extra_headers["X-OpsPortal-Delivery"] == ENVELOPE.delivery_id


def test_envelope__as_json__is_what_receivers_parse():
    document = json.loads(json.dumps(ENVELOPE.as_json()))
    assert set(document) == {"id", "event", "subject", "body", "payload", "created_at"}
