"""How a message leaves the portal: email, signed webhook, Slack and Telegram.

Each sender raises ``DeliveryError`` with a short reason that is safe to store and show
(an HTTP status, or ``UNREACHABLE`` for every destination that was refused or could not
be reached): URLs are never part of it, because Slack webhook URLs and Telegram bot URLs
are secrets. HTTP goes through ``apps.notify.outbound``, which posts only to public
addresses (or those on ``NOTIFY_ALLOWED_HOSTS``) and never follows a redirect.

Webhook receivers verify a delivery like this::

    from apps.notify.transports import verify_signature
    ok = verify_signature(secret, request.headers["X-OpsPortal-Signature"], request.body)

The signature header is ``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``;
``X-OpsPortal-Delivery`` carries the delivery id, the same on every retry of one message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext_noop

from apps.core.logging import get_logger
from apps.notify import outbound

log = get_logger(__name__)

SIGNATURE_HEADER = "X-OpsPortal-Signature"
DELIVERY_HEADER = "X-OpsPortal-Delivery"
EVENT_HEADER = "X-OpsPortal-Event"
USER_AGENT = "OpsPortal-Notify/1"
# The one stored error for a destination that was refused (not a public address, a
# redirect) or could not be reached (no such name, closed port, timeout, TLS failure).
UNREACHABLE = gettext_noop("destination refused or unreachable")


class DeliveryError(Exception):
    """Delivery failed; ``str(error)`` is short and contains no secret."""


class PermanentDeliveryError(DeliveryError):
    """Delivery cannot succeed by trying again (disabled channel, unknown kind)."""


@dataclass(frozen=True)
class Envelope:
    """What is delivered: the same for every transport, with a stable delivery id."""

    delivery_id: str
    subject: str
    body: str
    event: str = ""
    payload: dict = field(default_factory=dict)
    created_at: str = ""

    def as_text(self) -> str:
        return f"{self.subject}\n\n{self.body}".strip()

    def as_json(self) -> dict:
        return {
            "id": self.delivery_id,
            "event": self.event,
            "subject": self.subject,
            "body": self.body,
            "payload": self.payload,
            "created_at": self.created_at,
        }


# --- signatures --------------------------------------------------------------------------


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def compute_signature(secret: str, timestamp: int, body: bytes | str) -> str:
    signed = f"{timestamp}.".encode() + _as_bytes(body)
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes | str, timestamp: int | None = None) -> str:
    """The value of the X-OpsPortal-Signature header for ``body``."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={t},v1={compute_signature(secret, t, body)}"


def verify_signature(
    secret: str,
    header: str | None,
    body: bytes | str,
    tolerance: int = 300,
    now: float | None = None,
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and its time is within
    ``tolerance`` seconds of now. Compares in constant time."""
    if not secret or not header:
        return False
    timestamp = None
    candidates = []
    for part in header.split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return False
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = compute_signature(secret, timestamp, body)
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(expected, candidate)
    return matched


# --- HTTP --------------------------------------------------------------------------------


def _post(url: str, *, data: bytes, headers: dict[str, str]) -> None:
    headers = {"User-Agent": USER_AGENT, **headers}
    try:
        status = outbound.post(
            url, data=data, headers=headers, timeout=settings.NOTIFY_HTTP_TIMEOUT
        )
    except outbound.DestinationRefused:
        # Logged with its reason by apps.notify.outbound; the stored error is the same as
        # for an unreachable destination, so it tells nothing about what listens where.
        raise DeliveryError(UNREACHABLE) from None
    except (requests.RequestException, OSError, ValueError) as exc:
        # The exception text holds the URL (a secret for Slack and Telegram): name only.
        log.info("notify.destination_unreachable", error=type(exc).__name__)
        raise DeliveryError(UNREACHABLE) from None
    if 300 <= status < 400:
        # Redirects are not followed: their target was never checked.
        log.info("notify.destination_redirected", status=status)
        raise DeliveryError(UNREACHABLE)
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}")


def _json_bytes(document: dict) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def send_webhook(*, url: str, secret: str, envelope: Envelope) -> None:
    body = _json_bytes(envelope.as_json())
    _post(
        url,
        data=body,
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(secret, body),
            DELIVERY_HEADER: envelope.delivery_id,
            EVENT_HEADER: envelope.event,
        },
    )


def send_slack(*, webhook_url: str, envelope: Envelope) -> None:
    text = f"*{envelope.subject}*\n{envelope.body}".strip()
    _post(
        webhook_url,
        data=_json_bytes({"text": text}),
        headers={"Content-Type": "application/json", DELIVERY_HEADER: envelope.delivery_id},
    )


def send_telegram(*, bot_token: str, chat_id: str, envelope: Envelope) -> None:
    url = f"{settings.TELEGRAM_API_BASE.rstrip('/')}/bot{bot_token}/sendMessage"
    _post(
        url,
        data=_json_bytes({"chat_id": chat_id, "text": envelope.as_text()}),
        headers={"Content-Type": "application/json"},
    )


# --- email -------------------------------------------------------------------------------


def send_email(*, recipients: list[str], envelope: Envelope) -> None:
    message = EmailMessage(
        subject=envelope.subject,
        body=envelope.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(recipients),
        headers={DELIVERY_HEADER: envelope.delivery_id, EVENT_HEADER: envelope.event},
    )
    try:
        sent = message.send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - SMTP and socket errors of every kind
        raise DeliveryError(f"email error ({type(exc).__name__})") from None
    if not sent:
        raise DeliveryError("email not accepted")


# --- dispatch ----------------------------------------------------------------------------


def deliver(*, kind: str, target: str, secret: str, config: dict, envelope: Envelope) -> None:
    """Send ``envelope`` to one destination described by kind, target, secret and config."""
    if kind == "email":
        recipients = config.get("recipients") or ([target] if target else [])
        if not recipients:
            raise DeliveryError("no recipients")
        send_email(recipients=recipients, envelope=envelope)
    elif kind == "webhook":
        send_webhook(url=target or config.get("url", ""), secret=secret, envelope=envelope)
    elif kind == "slack":
        send_slack(webhook_url=secret, envelope=envelope)
    elif kind == "telegram":
        chat_id = target or str(config.get("chat_id", ""))
        send_telegram(bot_token=secret, chat_id=chat_id, envelope=envelope)
    else:
        raise PermanentDeliveryError("unknown kind")
