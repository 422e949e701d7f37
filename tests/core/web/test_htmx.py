"""is_htmx: only a request htmx made (``HX-Request: true``) gets a fragment."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from apps.core.web.htmx import is_htmx


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"HX-Request": "true"}, True),
        ({"HX-Request": "false"}, False),
        ({"HX-Request": "1"}, False),
        ({}, False),
    ],
)
def test_is_htmx__header__decides(headers, expected):
    request = RequestFactory().get("/", headers=headers)

    assert is_htmx(request) is expected
