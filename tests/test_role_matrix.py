"""Every endpoint × every caller: allowed callers get in, the others get 401/403.

The table lives in ``tests/<app>/matrix_entries.py`` modules (see ``tests/matrix.py``).
"""

from __future__ import annotations

import pytest
from django.urls import resolve

from tests.matrix import CALLERS, Ctx, api_routes, call, client_for, collect_entries, was_denied

ENTRIES = collect_entries()


@pytest.mark.django_db
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.id)
def test_endpoint__caller__allowed_or_refused(entry, caller):
    ctx = Ctx()
    url = entry.build_url(ctx)
    client = client_for(caller, entry, ctx)

    response = call(client, entry, ctx)

    detail = f"{entry.method} {url} as {caller}: {response.status_code}"
    if entry.allows(caller):
        assert not was_denied(response, url), f"should be allowed: {detail}"
        assert response.status_code < 500, detail
    else:
        assert was_denied(response, url), f"should be refused: {detail}"
        if url.startswith("/v1/"):
            assert set(response.json()["error"]) >= {"code", "message", "fields", "request_id"}


@pytest.mark.django_db
def test_matrix__every_api_route_and_method__has_an_entry():
    ctx = Ctx()
    covered: set[tuple[str, str]] = set()
    for entry in ENTRIES:
        url = entry.build_url(ctx).split("?", 1)[0]
        if not url.startswith("/v1/"):
            continue
        route = resolve(url).route
        covered.add((route, entry.method))
        covered.add((route, "*"))

    missing = sorted(
        f"{method} /{route}" for route, method in api_routes() if (route, method) not in covered
    )

    assert not missing, (
        "These /v1/ endpoints have no role-matrix entry; add them to "
        f"tests/<app>/matrix_entries.py: {missing}"
    )


def test_matrix__entries__are_collected_from_each_app():
    ids = {entry.id for entry in ENTRIES}
    assert "accounts.api.me" in ids
    assert "accounts.page.service_accounts" in ids
