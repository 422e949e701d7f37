"""The /v1/ conventions: one JSON error shape, request ids, fail-closed permissions,
method-not-allowed, pagination."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.roles import OPS, SUPER_ADMIN
from tests.core import urls_failclosed

FAILCLOSED = "tests.core.urls_failclosed"


def assert_error_shape(response, code: str | None = None) -> dict:
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) >= {"code", "message", "fields", "request_id"}
    assert isinstance(error["fields"], dict)
    assert error["message"]
    assert error["request_id"] == response["X-Request-ID"]
    if code is not None:
        assert error["code"] == code, error
    return error


@pytest.fixture
def person_api(make_user, verified_api_client):
    return verified_api_client(make_user(OPS))


@pytest.fixture
def admin_api(make_user, verified_api_client):
    return verified_api_client(make_user(SUPER_ADMIN))


@pytest.fixture(autouse=True)
def _reset_probe_calls():
    urls_failclosed.CALLS.clear()


# --- errors -------------------------------------------------------------------------------


def test_unknown_v1_path__any_caller__json_404(api_client, person_api):
    for client in (api_client, person_api):
        response = client.get("/v1/no-such-thing/")

        assert response.status_code == 404
        assert_error_shape(response, "not_found")


def test_unknown_v1_path__debug_on__still_json_404(api_client, settings):
    assert "apps.core.middleware.DebugApiNotFoundMiddleware" in settings.MIDDLEWARE
    settings.DEBUG = True

    response = api_client.get("/v1/no-such-thing/")

    assert response.status_code == 404
    assert_error_shape(response, "not_found")


def test_unknown_object__existing_route__json_404(admin_api):
    response = admin_api.get("/v1/service-accounts/999999/tokens/")

    assert response.status_code == 404
    assert_error_shape(response, "not_found")


def test_anonymous__v1_endpoint__json_401_with_challenge(api_client):
    response = api_client.get("/v1/me")

    assert response.status_code == 401
    assert_error_shape(response, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_validation_error__bad_fields__lists_each_field(admin_api):
    response = admin_api.post(
        "/v1/service-accounts/", {"username": "", "description": "x" * 301}, format="json"
    )

    assert response.status_code == 400
    error = assert_error_shape(response, "validation_error")
    assert set(error["fields"]) == {"username", "description"}
    assert all(isinstance(messages, list) and messages for messages in error["fields"].values())
    assert not User.objects.filter(is_service_account=True).exists()


def test_validation_error__model_rule__reported_on_its_field(admin_api):
    response = admin_api.post("/v1/service-accounts/", {"username": "has spaces!"}, format="json")

    assert response.status_code == 400
    error = assert_error_shape(response, "validation_error")
    assert list(error["fields"]) == ["username"]


def test_malformed_json__post__json_400(admin_api):
    response = admin_api.post(
        "/v1/service-accounts/", data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert_error_shape(response, "malformed_request")


def test_method_not_allowed__declared_view__json_405(person_api):
    response = person_api.delete("/v1/me")

    assert response.status_code == 405
    assert_error_shape(response, "method_not_allowed")


@pytest.mark.urls(FAILCLOSED)
def test_api_error__custom_code__status_code_and_fields_kept(person_api):
    response = person_api.get("/v1/probe/conflict")

    assert response.status_code == 409
    error = assert_error_shape(response, "clash")
    assert error["fields"] == {"x": ["bad"]}


@pytest.mark.urls(FAILCLOSED)
def test_unhandled_exception__v1__json_500_without_details(person_api):
    person_api.raise_request_exception = False

    response = person_api.get("/v1/probe/broken")

    assert response.status_code == 500
    error = assert_error_shape(response, "server_error")
    assert "boom" not in response.content.decode()
    assert error["fields"] == {}


# --- request ids ------------------------------------------------------------------------------


def test_request_id__valid_header__echoed_in_header_and_error(api_client):
    response = api_client.get("/v1/me", HTTP_X_REQUEST_ID="trace-42.abc:1")

    assert response["X-Request-ID"] == "trace-42.abc:1"
    assert response.json()["error"]["request_id"] == "trace-42.abc:1"


@pytest.mark.parametrize("given", ["has spaces", "x" * 129, "<script>", "a\tb"])
def test_request_id__invalid_header__replaced_by_a_fresh_one(api_client, given):
    response = api_client.get("/v1/me", HTTP_X_REQUEST_ID=given)

    assert response["X-Request-ID"] != given
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert response.json()["error"]["request_id"] == response["X-Request-ID"]


def test_request_id__absent__generated_on_success_too(person_api):
    response = person_api.get("/v1/me")

    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


# --- fail closed ------------------------------------------------------------------------------


@pytest.mark.urls(FAILCLOSED)
def test_action_without_rule__verified_super_admin__refused_and_not_run(admin_api):
    assert admin_api.get("/v1/probe/half").status_code == 200

    response = admin_api.post("/v1/probe/half", {}, format="json")

    assert response.status_code == 403
    assert_error_shape(response, "action_not_declared")
    assert admin_api.delete("/v1/probe/half").status_code == 403
    assert urls_failclosed.CALLS == []


@pytest.mark.urls(FAILCLOSED)
def test_view_without_any_rules__every_caller__refused_and_not_run(admin_api, token_client):
    tokens, _token = token_client(scopes=["flags:read", "flags:write"])

    assert admin_api.get("/v1/probe/undeclared").status_code == 403
    assert tokens.get("/v1/probe/undeclared").status_code == 403
    assert APIClient().get("/v1/probe/undeclared").status_code == 401
    assert urls_failclosed.CALLS == []


@pytest.mark.urls(FAILCLOSED)
def test_method_the_view_does_not_serve__405_not_403(admin_api):
    response = admin_api.put("/v1/probe/half", {}, format="json")

    assert response.status_code == 405
    assert_error_shape(response, "method_not_allowed")


@pytest.mark.urls(FAILCLOSED)
def test_scoped_action__token_without_the_scope__403_scope_missing(token_client):
    client, _token = token_client(scopes=["flags:write", "config:read"])

    response = client.get("/v1/probe/scoped")

    assert response.status_code == 403
    error = assert_error_shape(response, "scope_missing")
    assert "flags:read" in error["message"]


@pytest.mark.urls(FAILCLOSED)
def test_scoped_action__token_with_the_scope__allowed(token_client):
    client, _token = token_client(scopes=["flags:read"])

    assert client.get("/v1/probe/scoped").status_code == 200


@pytest.mark.urls(FAILCLOSED)
def test_token_only_action__verified_person__403_token_required(person_api):
    response = person_api.get("/v1/probe/token-only")

    assert response.status_code == 403
    assert_error_shape(response, "token_required")


# --- pagination -------------------------------------------------------------------------------


@pytest.mark.urls(FAILCLOSED)
def test_pagination__default__50_per_page_with_links(person_api):
    body = person_api.get("/v1/probe/numbers").json()

    assert body["count"] == 250
    assert body["results"] == list(range(1, 51))
    assert body["previous"] is None
    assert "page=2" in body["next"]


@pytest.mark.urls(FAILCLOSED)
def test_pagination__page_and_page_size__honoured(person_api):
    body = person_api.get("/v1/probe/numbers?page=3&page_size=20").json()

    assert body["results"] == list(range(41, 61))


@pytest.mark.urls(FAILCLOSED)
def test_pagination__page_size_over_200__capped_at_200(person_api):
    body = person_api.get("/v1/probe/numbers?page_size=1000").json()

    assert len(body["results"]) == 200


@pytest.mark.urls(FAILCLOSED)
@pytest.mark.parametrize("size", ["0", "-5", "abc", "", "1.5", "²"])
def test_pagination__bad_page_size__400_naming_page_size(person_api, size):
    response = person_api.get("/v1/probe/numbers", {"page_size": size})

    assert response.status_code == 400
    error = assert_error_shape(response, "validation_error")
    assert list(error["fields"]) == ["page_size"]


@pytest.mark.urls(FAILCLOSED)
@pytest.mark.parametrize("page", ["0", "-1", "zero", "", "1e3", "9" * 40])
def test_pagination__page_not_a_whole_number_from_1__400_naming_page(person_api, page):
    response = person_api.get("/v1/probe/numbers", {"page": page})

    assert response.status_code == 400
    error = assert_error_shape(response, "validation_error")
    assert list(error["fields"]) == ["page"]


@pytest.mark.urls(FAILCLOSED)
@pytest.mark.parametrize("page", ["6", "99", "999999999999"])
def test_pagination__page_after_the_last__json_404(person_api, page):
    response = person_api.get(f"/v1/probe/numbers?page={page}")

    assert response.status_code == 404
    assert_error_shape(response, "not_found")


@pytest.mark.urls(FAILCLOSED)
def test_pagination__last__the_last_page(person_api):
    body = person_api.get("/v1/probe/numbers?page=last").json()

    assert body["results"] == list(range(201, 251))


def test_pagination__real_list__page_size_applies(make_user, verified_api_client):
    from tests.factories import ServiceAccountFactory

    ServiceAccountFactory.create_batch(3)
    client = verified_api_client(make_user(SUPER_ADMIN))

    body = client.get("/v1/service-accounts/?page_size=2").json()

    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"]
