"""Role-matrix entries of core pages. See tests/matrix.py."""

from __future__ import annotations

from tests.matrix import EVERY_ROLE, Entry

ENTRIES = [
    Entry("core.page.home", "GET", "/", roles=EVERY_ROLE),
]
