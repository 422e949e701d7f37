"""OPTIONS answers on every /v1/ route, for every kind of caller, and never with a 5xx.

The routes come from the URL resolver (as the role matrix walks them), so a new
endpoint is covered without a new test.
"""

from __future__ import annotations

import re

import pytest

from apps.accounts.roles import REVIEWER, SUPER_ADMIN
from apps.accounts.scopes import SCOPES
from tests.matrix import api_routes

pytestmark = pytest.mark.django_db


def _urls() -> list[str]:
    urls = set()
    for route, _method in api_routes():
        url = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route).replace("^", "").replace("$", "")
        url = re.sub(r"<int:[^>]+>", "1", url)
        url = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000001", url)
        url = re.sub(r"<(slug|str|path):[^>]+>", "x", url)
        urls.add("/" + url)
    return sorted(urls)


URLS = _urls()


def test_walk__every_route_found():
    assert len(URLS) > 60
    assert "/v1/teams/" in URLS and "/v1/launches/1/log/" in URLS


def test_options__super_admin__200_on_every_route_with_its_methods(make_user, verified_api_client):
    api = verified_api_client(make_user(SUPER_ADMIN))

    for url in URLS:
        response = api.options(url)

        assert response.status_code in (200, 403), (url, response.status_code)
        if response.status_code == 200:
            body = response.json()
            assert body["methods"], url
            assert set(body["allowed_for_you"]) <= set(body["methods"]), url
            # File uploads (incident evidence) parse multipart bodies; the rest JSON.
            assert body["parses"] in (["application/json"], ["multipart/form-data"]), url
            if body["parses"] == ["multipart/form-data"]:
                assert url.endswith("/evidence"), url


def test_options__token_with_every_scope__never_a_server_error(token_client):
    api, _token = token_client(scopes=list(SCOPES))

    for url in URLS:
        assert api.options(url).status_code in (200, 403), url


def test_options__anonymous__401_json_everywhere(api_client):
    for url in URLS:
        response = api_client.options(url)

        assert response.status_code == 401, url
        assert response.json()["error"]["code"] == "not_authenticated"


def test_options__write_only_view__answered_for_who_may_use_it(make_user, verified_api_client):
    admin = verified_api_client(make_user(SUPER_ADMIN))

    response = admin.options("/v1/approvals/1/approve")

    assert response.status_code == 200
    assert response.json()["methods"] == ["POST"]


def test_options__lists_what_the_caller_may_do(make_user, verified_api_client):
    reviewer = verified_api_client(make_user(REVIEWER))
    admin = verified_api_client(make_user(SUPER_ADMIN))

    seen_by_reviewer = reviewer.options("/v1/teams/").json()
    seen_by_admin = admin.options("/v1/teams/").json()

    assert set(seen_by_reviewer["methods"]) == {"GET", "HEAD", "POST"}
    assert seen_by_reviewer["allowed_for_you"] == ["GET"]
    assert seen_by_admin["allowed_for_you"] == ["GET", "POST"]


def test_options__view_without_serializer__no_server_error(make_user, verified_api_client):
    api = verified_api_client(make_user(SUPER_ADMIN))

    for url in ("/v1/teams/", "/v1/pages/", "/v1/oncall/feeds/", "/v1/launches/log/"):
        assert api.options(url).status_code == 200, url
