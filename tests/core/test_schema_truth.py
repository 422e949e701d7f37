"""The OpenAPI document says what the API does.

Every GET operation is called on the demo data as a super admin and its answer is
checked against the document by schemathesis (status documented, body of the documented
shape, nulls only where documented). The CI's fuzzing run (``.ci/fuzz_api``) does the same
for generated inputs against a running portal.
"""

from __future__ import annotations

import io
import json
import re

import pytest
import requests
import schemathesis
from django.core.management import call_command
from schemathesis.core.transport import Response as SchemathesisResponse

from apps.accounts.roles import SUPER_ADMIN
from apps.approvals.models import ChangeRequest
from apps.audit.models import AccessLogEntry, AuditEvent, LogEntry
from apps.flags.models import Flag
from apps.oncall.models import EscalationPolicy, Page, Schedule, Team
from apps.oncall.services import page_trigger
from apps.warroom.models import ChecklistRun, ChecklistTemplate, LaunchPlan
from tests.core.test_api_conventions import assert_error_shape

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client) -> dict:
    return json.loads(client.get("/v1/schema/?format=json").content)


@pytest.fixture
def demo_admin(verified_api_client):
    call_command("demo", "--no-serve", stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="admin")
    # A page nobody acknowledged yet: acknowledged_by is null.
    page_trigger(actor=admin, team=Team.objects.order_by("pk").first(), title="Unanswered")
    return verified_api_client(admin)


def _conforms(document: dict, method: str, path: str, url: str, response) -> None:
    operation = schemathesis.openapi.from_dict(document)[path][method.upper()]
    prepared = requests.Request(method.upper(), f"http://testserver{url}").prepare()
    answer = SchemathesisResponse(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.items()},
        content=response.content,
        request=prepared,
        elapsed=0.0,
        verify=False,
    )
    operation.validate_response(answer)


def _objects() -> dict[str, str]:
    def first(model):
        row = model.objects.order_by("pk").first()
        return str(row.pk) if row is not None else "1"

    plan = LaunchPlan.objects.order_by("pk").first()
    run = ChecklistRun.objects.order_by("pk").first()
    return {
        "/v1/approvals/{id}/": first(ChangeRequest),
        "/v1/audit/changes/{id}/": first(LogEntry),
        "/v1/audit/events/{id}/": first(AuditEvent),
        "/v1/audit/access/{id}/": first(AccessLogEntry),
        "/v1/checklists/runs/{id}": str(run.pk),
        "/v1/checklists/runs/{id}/report.md": str(run.pk),
        "/v1/checklists/templates/{slug}": ChecklistTemplate.objects.order_by("pk").first().slug,
        "/v1/config/versions/{number}/": "1",
        "/v1/escalation-policies/{id}": first(EscalationPolicy),
        "/v1/flags/{key}/": Flag.objects.order_by("pk").first().key,
        "/v1/flags/{key}/evaluate": Flag.objects.order_by("pk").first().key,
        "/v1/flags/{key}/states": Flag.objects.order_by("pk").first().key,
        "/v1/launches/{id}": str(plan.pk),
        "/v1/launches/{id}/log/": str(plan.pk),
        "/v1/launches/{id}/rollback-criteria/": str(plan.pk),
        "/v1/launches/{id}/tasks/": str(plan.pk),
        "/v1/oncall/schedules/{id}": first(Schedule),
        "/v1/oncall/schedules/{id}/final": first(Schedule),
        "/v1/oncall/schedules/{id}/overrides/": first(Schedule),
        "/v1/pages/{id}": str(Page.objects.filter(acknowledged_by=None).first().pk),
        "/v1/teams/{slug}": Team.objects.order_by("pk").first().slug,
    }


def test_every_get__demo_data__answer_conforms_to_the_document(document, demo_admin):
    objects = _objects()
    checked = []
    for path, item in document["paths"].items():
        if "get" not in item:
            continue
        if "{" in path and path not in objects:
            continue  # e.g. a service account's tokens: covered by the accounts tests
        url = re.sub(r"\{[^}]+\}", objects.get(path, ""), path)
        response = demo_admin.get(url)

        # A detail with no such row in the demo (no access record yet) answers 404.
        expected = (200, 404) if "{" in path else (200,)
        assert response.status_code in expected, (url, response.status_code, response.content)
        _conforms(document, "get", path, url, response)
        checked.append(path)

    assert len(checked) >= 45


def test_lists__page_0_and_past_the_end__documented_400_and_404(
    document, make_user, verified_api_client
):
    # Page numbers are checked before any row is read: no demo data is needed here.
    admin = verified_api_client(make_user("super_admin"))
    lists = [
        path
        for path, item in document["paths"].items()
        if "get" in item
        and "{" not in path
        and any(p["name"] == "page" for p in item["get"].get("parameters", []))
    ]
    assert len(lists) >= 16

    for path in lists:
        zero = admin.get(f"{path}?page=0")
        assert zero.status_code == 400, path
        assert assert_error_shape(zero, "validation_error")["fields"] == {
            "page": ["Give a page number from 1."]
        }
        _conforms(document, "get", path, f"{path}?page=0", zero)
        past = admin.get(f"{path}?page=99999")
        assert past.status_code == 404, path
        _conforms(document, "get", path, f"{path}?page=99999", past)


def test_error_fields__nested_errors__documented_free_form(document):
    fields = document["components"]["schemas"]["ErrorDetail"]["properties"]["fields"]

    assert fields["type"] == "object"
    assert fields["additionalProperties"] == {}


def test_every_operation_with_input__documents_400(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if operation.get("parameters") or operation.get("requestBody"):
                assert "400" in operation["responses"], (method, path)


def _takes_a_file(content: dict, document: dict) -> bool:
    schema = content.get("multipart/form-data", {}).get("schema", {})
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return any(prop.get("format") == "binary" for prop in schema.get("properties", {}).values())


def test_request_bodies__json_only_except_file_uploads(document):
    for path, item in document["paths"].items():
        for operation in item.values():
            if "requestBody" not in operation:
                continue
            content = operation["requestBody"]["content"]
            if list(content) == ["multipart/form-data"]:
                # An upload (incident evidence): multipart with a binary file field.
                assert _takes_a_file(content, document), path
            else:
                assert list(content) == ["application/json"], path


def test_handoff_time__documented_pattern__enforced_by_the_api(
    document, make_user, verified_api_client
):
    layer = document["components"]["schemas"]["LayerInputRequest"]["properties"]["handoff_time"]
    pattern = layer["pattern"]
    assert re.fullmatch(pattern, "09:00") and re.fullmatch(pattern, "09:00:00")
    assert not re.fullmatch(pattern, "09:00:00+02:00")

    from apps.oncall import services

    admin = make_user(SUPER_ADMIN)
    team = services.team_create(actor=admin, name="Handoff team")
    services.team_member_add(actor=admin, team=team, user=admin)
    schedule = services.schedule_create(
        actor=admin, team=team, kind="primary", timezone_name="Europe/Warsaw"
    )
    api = verified_api_client(admin)
    body = {
        "name": "Weekly",
        "shift_kind": "weekly",
        "shift_length": 1,
        "start_date": "2030-03-04",
        "participants": [admin.pk],
    }

    refused = api.post(
        f"/v1/oncall/schedules/{schedule.pk}/layers/",
        {**body, "handoff_time": "09:00:00+02:00"},
        format="json",
    )
    created = api.post(
        f"/v1/oncall/schedules/{schedule.pk}/layers/", {**body, "handoff_time": "09:00"}
    )

    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["handoff_time"]
    assert created.status_code == 201
    assert re.fullmatch(pattern, created.json()["handoff_time"])


def test_feed_revoke_and_rotate__documented_as_answered(document):
    revoke = document["paths"]["/v1/oncall/feeds/{id}/revoke"]["post"]["responses"]
    rotate = document["paths"]["/v1/oncall/feeds/{id}/rotate"]["post"]["responses"]

    assert set(revoke) >= {"200"} and "201" not in revoke
    assert revoke["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Feed")
    assert "201" in rotate and "200" not in rotate
    assert rotate["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/FeedCreated")


def test_nullable_links__documented_nullable(document):
    schemas = document["components"]["schemas"]

    assert schemas["ChangeRequest"]["properties"]["decided_by"]["nullable"] is True
    assert schemas["Page"]["properties"]["acknowledged_by"]["nullable"] is True
    assert schemas["ChangeRecord"]["properties"]["actor"]["nullable"] is True
    assert schemas["AuditEvent"]["properties"]["actor"]["nullable"] is True


def test_every_operation_with_a_path_parameter__documents_404(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if any(p["in"] == "path" for p in operation.get("parameters", [])):
                assert "404" in operation["responses"], (method, path)


def test_path_parameters__exactly_the_names_in_the_path(document):
    wrong = []
    for path, item in document["paths"].items():
        in_path = set(re.findall(r"{(\w+)}", path))
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            documented = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            if documented != in_path:
                wrong.append(f"{method.upper()} {path}: {sorted(documented)}")

    assert not wrong, wrong
