"""Who is acting and in which request, for web, API and Celery work alike.

The request id and actor live in context variables. The web middleware sets them per
request (the actor lazily, because DRF authenticates tokens inside the view), Celery
sets them per task from the headers of the message that queued it. Audit rows read
them when they are written.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_request_id: ContextVar[str | None] = ContextVar("opsportal_request_id", default=None)
_actor: ContextVar[Any] = ContextVar("opsportal_actor", default=None)
_remote_addr: ContextVar[str | None] = ContextVar("opsportal_remote_addr", default=None)

REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def clean_request_id(value: str | None) -> str:
    """Accept a caller's X-Request-ID if it is safe to echo and log; otherwise make one."""
    if value and REQUEST_ID_PATTERN.match(value):
        return value
    return new_request_id()


def get_request_id() -> str | None:
    return _request_id.get()


def get_remote_addr() -> str | None:
    return _remote_addr.get()


def get_actor():
    """The acting user, or None. Lazy actors (callables) are resolved here."""
    actor = _actor.get()
    if callable(actor) and not hasattr(actor, "pk"):
        actor = actor()
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if getattr(actor, "pk", None) is None:
        return None
    return actor


@contextmanager
def bind(
    *,
    request_id: str | None = None,
    actor: Any = None,
    remote_addr: str | None = None,
) -> Iterator[None]:
    """Set the request id, actor and remote address for the duration of a block."""
    tokens = [
        (_request_id, _request_id.set(request_id or _request_id.get() or new_request_id())),
        (_actor, _actor.set(actor)),
        (_remote_addr, _remote_addr.set(remote_addr)),
    ]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def set_actor(actor: Any | Callable[[], Any]) -> None:
    """Replace the actor of the current context (e.g. once a token is authenticated)."""
    _actor.set(actor)
