"""NUL characters (U+0000) are refused with a field error before any view runs.

PostgreSQL cannot hold U+0000 in text or jsonb; a NUL in a filter, a path parameter or a
JSON payload used to end in a server error there. The walks below take every query
parameter and every top-level body field the OpenAPI document lists, so a new filter or
field is covered without a new test.
"""

from __future__ import annotations

import json
import re

import pytest

from apps.accounts.roles import OPS, SUPER_ADMIN
from apps.approvals.models import ChangeRequest
from apps.flags.models import FlagState
from tests.core.test_api_conventions import assert_error_shape

pytestmark = pytest.mark.django_db
NUL_MESSAGE = "NUL characters are not allowed."


def _document() -> dict:
    from django.test import Client

    return json.loads(Client().get("/v1/schema/?format=json").content)


def _concrete(path: str) -> str:
    """A URL for a documented path: ids 1, slugs/keys "x"."""
    return re.sub(r"\{(id|pk|number|position|task_pk)\}", "1", re.sub(r"\{(slug|key)\}", "x", path))


def _query_parameters() -> list[tuple[str, str, str]]:
    found = []
    for path, item in _document()["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    found.append((method.upper(), path, parameter["name"]))
    return found


def _body_fields() -> list[tuple[str, str, str]]:
    document = _document()
    components = document["components"]["schemas"]
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            ref = schema.get("$ref", "")
            properties = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
            for name in properties:
                found.append((method.upper(), path, name))
    return found


@pytest.fixture
def admin_api(make_user, verified_api_client):
    return verified_api_client(make_user(SUPER_ADMIN))


def test_walk__every_documented_query_parameter__nul_is_400_naming_it(admin_api):
    parameters = _query_parameters()
    assert len(parameters) > 40  # the walk really covers the lists' filters

    for method, path, name in parameters:
        response = getattr(admin_api, method.lower())(f"{_concrete(path)}?{name}=a%00b")

        assert response.status_code == 400, (method, path, name, response.status_code)
        error = assert_error_shape(response, "validation_error")
        assert error["fields"] == {name: [NUL_MESSAGE]}, (method, path, name)


def test_walk__every_documented_body_field__nul_is_400_naming_it(admin_api):
    fields = _body_fields()
    assert len(fields) > 60

    for method, path, name in fields:
        response = getattr(admin_api, method.lower())(
            _concrete(path), {name: "a\x00b"}, format="json"
        )

        assert response.status_code == 400, (method, path, name, response.status_code)
        error = assert_error_shape(response, "validation_error")
        assert error["fields"] == {name: [NUL_MESSAGE]}, (method, path, name)


def test_oncall_now__nul_team_filter__400_naming_team(make_user, verified_api_client):
    api = verified_api_client(make_user(OPS))

    response = api.get("/v1/oncall/now?team=%00")

    assert response.status_code == 400
    assert assert_error_shape(response, "validation_error")["fields"] == {"team": [NUL_MESSAGE]}


def test_approvals__nul_kind_filter__token_or_anonymous_alike__400(api_client):
    response = api_client.get("/v1/approvals/?kind=%00")

    assert response.status_code == 400
    assert assert_error_shape(response)["fields"] == {"kind": [NUL_MESSAGE]}


def test_change_request__nul_deep_in_payload__400_with_dotted_path_and_nothing_stored(admin_api):
    payload = {"networks": [{"key": "bsc", "name": "a\u0000b"}]}

    response = admin_api.post(
        "/v1/approvals/",
        {"kind": "seedconfig.change", "payload": payload, "reason": "rename"},
        format="json",
    )

    assert response.status_code == 400
    error = assert_error_shape(response, "validation_error")
    assert error["fields"] == {"payload.networks.0.name": [NUL_MESSAGE]}
    assert not ChangeRequest.objects.exists()


def test_json_body__nul_in_a_key__400_with_the_key_escaped(admin_api):
    response = admin_api.post(
        "/v1/approvals/",
        {"kind": "x", "payload": {"a\u0000": 1}, "reason": "r"},
        format="json",
    )

    assert response.status_code == 400
    assert assert_error_shape(response)["fields"] == {"payload.a\\u0000": [NUL_MESSAGE]}


def test_flag_key_path__nul__400_naming_key(admin_api):
    response = admin_api.get("/v1/flags/a%00b/")

    assert response.status_code == 400
    assert assert_error_shape(response)["fields"] == {"key": [NUL_MESSAGE]}


def test_system_flag_set__nul_reason__400_and_no_state_written(make_user, token_client):
    api, _token = token_client(scopes=["flags:write"])

    response = api.post(
        "/v1/admin/system-flags/set",
        {"flag": "contribute", "state": "blocked", "reason": "bad\x00input"},
        format="json",
    )

    assert response.status_code == 400
    assert assert_error_shape(response)["fields"] == {"reason": [NUL_MESSAGE]}
    assert not FlagState.objects.exists()


def test_page__nul_in_a_filter__400_page_naming_the_filter(make_user, verified_client):
    client = verified_client(make_user(OPS))

    response = client.get("/flags/?kind=%00")

    assert response.status_code == 400
    assert "text/html" in response["Content-Type"]
    body = response.content.decode()
    assert "kind" in body and NUL_MESSAGE in body


def test_page__nul_in_a_posted_field__400_page_and_nothing_changed(make_user, verified_client):
    from apps.warroom.models import ChecklistTemplate

    client = verified_client(make_user(SUPER_ADMIN))
    before = ChecklistTemplate.objects.count()

    response = client.post(
        "/warroom/checklists/templates/new", {"name": "Morning\x00", "kind": "daily"}
    )

    assert response.status_code == 400
    assert "name" in response.content.decode()
    assert ChecklistTemplate.objects.count() == before


def test_anonymous_page__nul_in_query__400_not_a_server_error(client):
    response = client.get("/accounts/login/?next=%00")

    assert response.status_code == 400


def test_refusal__accept_language_ru__answered_in_the_chosen_language(api_client):
    response = api_client.get("/v1/approvals/?kind=%00", HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 400
    assert response["Content-Language"] == "ru"
