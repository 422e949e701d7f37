"""The client address behind trusted proxies (apps.core.client_ip)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from apps.core.client_ip import client_ip


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1", "203.0.113.9"),
        (1, "10.0.0.2", "192.0.2.1", "192.0.2.1"),
        (1, "10.0.0.2", "198.51.100.1, 192.0.2.1", "192.0.2.1"),
        (2, "10.0.0.2", "198.51.100.1, 192.0.2.1, 10.0.0.1", "192.0.2.1"),
        (2, "10.0.0.2", "192.0.2.1", "10.0.0.2"),
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
        (1, "10.0.0.2", "", "10.0.0.2"),
        (1, "10.0.0.2", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(settings, count, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
