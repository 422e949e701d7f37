"""Filters take what the document says they take; bodies take the JSON types it states.

An unknown choice, a malformed boolean or number in a filter is 400 naming the filter
(never a filter silently ignored); a number sent for a text field, a string for an id,
a 1 for a boolean is 400 naming the field. The walks read the OpenAPI document, so a
new filter is covered without a new test.
"""

from __future__ import annotations

import json
import re

import pytest

from apps.accounts.roles import SUPER_ADMIN
from apps.approvals.models import ChangeRequest
from apps.oncall.models import Team
from apps.warroom.models import LaunchPlan
from tests.core.test_api_conventions import assert_error_shape

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client) -> dict:
    return json.loads(client.get("/v1/schema/?format=json").content)


@pytest.fixture
def admin_api(make_user, verified_api_client):
    return verified_api_client(make_user(SUPER_ADMIN))


def _filters(document: dict, kind: str) -> list[tuple[str, str]]:
    """(path, name) of every GET list filter of one kind: enum, boolean or integer."""
    found = []
    for path, item in document["paths"].items():
        if "get" not in item or "{" in path:
            continue
        for parameter in item["get"].get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter["in"] != "query" or parameter["name"] in ("page", "page_size"):
                continue
            if kind == "enum" and ("enum" in schema or "$ref" in schema):
                found.append((path, parameter["name"]))
            elif kind == schema.get("type") and "enum" not in schema:
                found.append((path, parameter["name"]))
    return found


@pytest.mark.parametrize(
    ("kind", "bad", "least"),
    [("enum", "no-such-choice", 8), ("boolean", "maybe", 5), ("integer", "one", 2)],
)
def test_walk__every_list_filter__malformed_value__400_naming_it(
    document, admin_api, kind, bad, least
):
    filters = _filters(document, kind)
    assert len(filters) >= least, filters

    for path, name in filters:
        response = admin_api.get(path, {name: bad})

        assert response.status_code == 400, (path, name, response.status_code)
        assert list(assert_error_shape(response, "validation_error")["fields"]) == [name], path


def test_approvals__unknown_status__400_instead_of_every_request(admin_api):
    response = admin_api.get("/v1/approvals/?status=pending-ish")

    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_approvals__known_filters__still_filter(admin_api):
    assert admin_api.get("/v1/approvals/?status=pending&mine=true").status_code == 200
    assert admin_api.get("/v1/approvals/?kind=").status_code == 200  # blank: no filter


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 0}, "name"),
        ({"name": "Go", "t0": "2030-01-01T00:00:00Z", "description": 5}, "description"),
        ({"name": "Go", "t0": "2030-01-01T00:00:00Z", "from_template": 1}, "from_template"),
        ({"name": ["Go"], "t0": "2030-01-01T00:00:00Z"}, "name"),
    ],
)
def test_body__wrong_json_type__400_naming_the_field_and_nothing_made(admin_api, body, field):
    response = admin_api.post("/v1/launches/", body, format="json")

    assert response.status_code == 400
    assert field in assert_error_shape(response, "validation_error")["fields"]
    assert not LaunchPlan.objects.exists()


def test_body__id_given_as_text__400(admin_api, make_user):
    person = make_user()

    response = admin_api.post(
        "/v1/teams/", {"name": "Typed", "lead": str(person.pk)}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["lead"]
    assert not Team.objects.filter(name="Typed").exists()


def test_body__nested_list_items__checked_too(admin_api):
    response = admin_api.post(
        "/v1/approvals/",
        {"kind": "seedconfig.change", "payload": {}, "reason": 7},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"reason": ["Give text (a JSON string)."]}
    assert not ChangeRequest.objects.exists()


def test_batch_evaluate__whole_number_context__still_accepted(token_client):
    from apps.flags.models import Flag

    if not Flag.objects.filter(key="contribute").exists():
        pytest.skip("the runbook flags are made by a data migration")
    api, _token = token_client(scopes=["flags:read"])

    response = api.post(
        "/v1/flags/evaluate",
        {"checks": [{"flag": "contribute", "context": {"round": 42}}]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["results"][0]["flag"] == "contribute"


def test_form_body__refused_415_json_only(admin_api):
    response = admin_api.post("/v1/teams/", {"name": "Form"}, format="multipart")

    assert response.status_code == 415
    assert_error_shape(response, "unsupported_media_type")
    assert not Team.objects.filter(name="Form").exists()


def test_schema__filters_documented_with_their_types(document):
    approvals = {
        p["name"]: p["schema"] for p in document["paths"]["/v1/approvals/"]["get"]["parameters"]
    }

    assert approvals["mine"]["type"] == "boolean"
    assert "enum" in approvals["status"] or "$ref" in approvals["status"]
    assert re.fullmatch(r"integer", approvals["page"]["type"])
