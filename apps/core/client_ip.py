"""The client's address, behind a known number of trusted reverse proxies.

``TRUSTED_PROXY_COUNT`` says how many proxies in front of the portal append to
``X-Forwarded-For``. With none, the address is ``REMOTE_ADDR``. With ``n``, the last
proxy is ``REMOTE_ADDR`` and the client is the ``n``-th address counted from the right of
``X-Forwarded-For``: everything further left was written by the client and proves
nothing. A header shorter than ``n`` or holding something that is not an address is
ignored (the answer falls back to ``REMOTE_ADDR``), so a client cannot choose its address
by sending the header itself.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    remote = _address(request.META.get("REMOTE_ADDR"))
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part.strip() for part in forwarded if part.strip()]
    if len(forwarded) < count:
        return remote
    return _address(forwarded[-count]) or remote
