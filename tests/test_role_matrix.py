"""Every endpoint × every caller: allowed callers get in, the others get 401/403.

The table lives in ``tests/<app>/matrix_entries.py`` modules (see ``tests/matrix.py``).
"""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.matrix import (
    CALLERS,
    Callers,
    Prepared,
    call,
    collect_entries,
    uncovered_routes,
    was_denied,
)

ENTRIES = collect_entries()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The callers and each entry's objects, made once for the module inside a transaction
    rolled back at its end; each case runs in a savepoint inside it (pytest-django's
    per-test atomic block), so what a case changes is gone for the next caller."""
    # The entries make a few hundred people: the suite's cheap password hasher (set for the
    # whole run in conftest's pytest_configure) keeps that quick.
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        # Services' durable blocks may run inside it, as inside a TestCase's own block.
        outer._from_testcase = True
        try:
            yield Callers(ENTRIES), Prepared(ENTRIES)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.django_db
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.id)
def test_endpoint__caller__allowed_or_refused(entry, caller, world):
    callers, prepared = world
    url, data = prepared.url_and_data(entry)
    client = callers.client(caller, entry)

    response = call(client, entry, url, data)

    detail = f"{entry.method} {url} as {caller}: {response.status_code}"
    if entry.public:
        assert response.status_code not in (401, 403), f"should be allowed: {detail}"
        assert response.status_code < 500, detail
    elif entry.allows(caller):
        denied = was_denied(response, url, mfa_pages_allowed=entry.signed_in)
        assert not denied, f"should be allowed: {detail}"
        assert response.status_code < 500, detail
    else:
        assert was_denied(response, url), f"should be refused: {detail}"
        if url.startswith("/v1/"):
            assert set(response.json()["error"]) >= {"code", "message", "fields", "request_id"}


@pytest.mark.django_db
def test_matrix__every_api_route_and_portal_page__has_an_entry():
    missing = uncovered_routes(ENTRIES)

    assert not missing, (
        "These /v1/ endpoints and portal pages have no role-matrix entry; add them to "
        f"tests/<app>/matrix_entries.py: {missing}"
    )


def test_matrix__entries__are_collected_from_each_app():
    ids = {entry.id for entry in ENTRIES}
    assert "accounts.api.me" in ids
    assert "accounts.page.service_accounts" in ids
