"""Messages to a named notification channel, for apps that may not import apps.notify.

apps.notify registers the sender at start-up (the way apps.audit registers the event
writers in ``apps.core.events``); apps on its own step or below (audit) call
``send_to_channel``. The message goes through the notify outbox in the caller's
transaction and is delivered after commit, with retries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_sender: Callable[..., Any] | None = None


def register_channel_sender(sender: Callable[..., Any]) -> None:
    global _sender
    _sender = sender


def send_to_channel(
    channel_name: str,
    *,
    subject: str,
    body: str,
    payload: dict[str, Any] | None = None,
    event: str = "",
    dedupe_key: str | None = None,
) -> Any:
    """Queue a message to the enabled channel called ``channel_name``.

    Returns the outbox message, or None when no enabled channel has that name.
    """
    if _sender is None:
        raise RuntimeError("No channel sender is registered (is apps.notify installed?).")
    return _sender(
        channel_name=channel_name,
        subject=subject,
        body=body,
        payload=payload or {},
        event=event,
        dedupe_key=dedupe_key,
    )
