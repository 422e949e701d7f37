"""Role-matrix entries of core pages. See tests/matrix.py."""

from __future__ import annotations

from tests.matrix import EVERY_ROLE, Entry

ENTRIES = [
    Entry("core.page.home", "GET", "/", roles=EVERY_ROLE),
]

# Health and metrics are reached without a login (metrics has its own gate: a bearer token
# or a loopback caller, which the test client is).
ENTRIES += [
    Entry("core.page.health", "GET", "/health", public=True),
    Entry("core.page.readiness", "GET", "/health/readiness", public=True),
    Entry("core.page.metrics", "GET", "/metrics", public=True),
]
