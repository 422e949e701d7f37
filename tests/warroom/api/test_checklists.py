"""Checklist API: templates, runs, marking, completing, the Markdown report; tokens read
with ``oncall:read`` and never write; bad input answers with field errors."""

from __future__ import annotations

import pytest

from apps.warroom import services
from apps.warroom.models import ChecklistRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(ops):
    return services.checklist_template_create(
        actor=ops,
        name="API checklist",
        slug="api-checklist",
        items=[
            {"title": "Tx pending aging"},
            {"title": "Reconcile", "evidence_required": True},
            {"title": "Spam", "required": False},
        ],
    )


def test_templates__list_and_detail_with_a_read_token(token_client, template):
    api, _token = token_client(scopes=["oncall:read"])

    listed = api.get("/v1/checklists/templates/?kind=other")
    detail = api.get("/v1/checklists/templates/api-checklist")

    assert listed.status_code == 200
    slugs = [row["slug"] for row in listed.json()["results"]]
    assert slugs == ["api-checklist"]
    assert listed.json()["results"][0]["item_count"] == 3
    assert detail.status_code == 200
    assert [
        (i["position"], i["title"], i["evidence_required"]) for i in detail.json()["items"]
    ] == [
        (1, "Tx pending aging", False),
        (2, "Reconcile", True),
        (3, "Spam", False),
    ]


def test_templates__seeded_ones_listed(verified_api_client, make_user):
    api = verified_api_client(make_user("support"))
    slugs = {
        row["slug"] for row in api.get("/v1/checklists/templates/?kind=daily").json()["results"]
    }
    assert slugs >= {"daily-ops-morning", "daily-ops-evening"}


def test_run__start_mark_complete_then_report(verified_api_client, ops, template):
    api = verified_api_client(ops)

    started = api.post(
        "/v1/checklists/runs/",
        {"template": "api-checklist", "environment": "staging", "launch_label": "Canary"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="start-1",
    )
    assert started.status_code == 201, started.json()
    run_id = started.json()["id"]
    assert started.json()["started_by"]["username"] == ops.username
    assert [i["result"] for i in started.json()["items"]] == ["open", "open", "open"]

    marked = api.post(
        f"/v1/checklists/runs/{run_id}/items/1",
        {"result": "passed", "note": "3 pending"},
        format="json",
    )
    assert marked.status_code == 200
    first = marked.json()["items"][0]
    assert (first["result"], first["marked_by"]["username"], first["note"]) == (
        "passed",
        ops.username,
        "3 pending",
    )
    assert first["marked_at"] is not None and len(first["marks"]) == 1

    refused = api.post(f"/v1/checklists/runs/{run_id}/complete", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "validation_error"
    assert "2. Reconcile" in refused.json()["error"]["fields"]["items"][0]

    api.post(
        f"/v1/checklists/runs/{run_id}/items/2",
        {"result": "failed", "note": "mismatch", "evidence_text": "FIN-231"},
        format="json",
    )
    completed = api.post(f"/v1/checklists/runs/{run_id}/complete", {"note": "NO-GO"}, format="json")
    assert completed.status_code == 200
    assert (completed.json()["status"], completed.json()["result"]) == ("completed", "failed")
    assert completed.json()["counts"] == {
        "total": 3,
        "passed": 1,
        "failed": 1,
        "skipped": 0,
        "open": 1,
    }

    report = api.get(f"/v1/checklists/runs/{run_id}/report.md?tz=Asia/Jakarta")
    text = report.content.decode()
    assert report.status_code == 200 and report["Content-Type"].startswith("text/markdown")
    assert "| 1 | Tx pending aging |" in text and "| PASSED |" in text
    assert "| 2 | Reconcile |" in text and "| FAILED |" in text and "| OPEN |" in text
    assert "(Asia/Jakarta)" in text


def test_run__start_is_idempotent(verified_api_client, ops, template):
    api = verified_api_client(ops)
    body = {"template": "api-checklist"}
    first = api.post("/v1/checklists/runs/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/v1/checklists/runs/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert ChecklistRun.objects.filter(template=template).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "template"),
        ({"template": "no-such"}, "template"),
        ({"template": "api-checklist", "environment": "moon"}, "environment"),
        ({"template": "api-checklist", "launch_label": "x" * 201}, "launch_label"),
    ],
)
def test_run__bad_start_input__field_errors(verified_api_client, ops, template, body, field):
    response = verified_api_client(ops).post("/v1/checklists/runs/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("position", "body", "field"),
    [
        (1, {}, "result"),
        (1, {"result": "open"}, "result"),
        (1, {"result": "failed"}, "note"),
        (1, {"result": "skipped", "note": ""}, "note"),
        (2, {"result": "passed"}, "evidence_text"),
        (1, {"result": "passed", "evidence_text": "x" * 5001}, "evidence_text"),
    ],
)
def test_mark__bad_input__field_errors(verified_api_client, ops, template, position, body, field):
    run = services.checklist_run_start(actor=ops, template=template)
    response = verified_api_client(ops).post(
        f"/v1/checklists/runs/{run.pk}/items/{position}", body, format="json"
    )
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert run.items.get(position=position).result == "open"


def test_mark__no_such_item_or_run__404(verified_api_client, ops, template):
    run = services.checklist_run_start(actor=ops, template=template)
    api = verified_api_client(ops)
    assert (
        api.post(f"/v1/checklists/runs/{run.pk}/items/9", {"result": "passed"}).status_code == 404
    )
    assert api.post("/v1/checklists/runs/999999/items/1", {"result": "passed"}).status_code == 404


def test_abandon__reason_required(verified_api_client, ops, template):
    run = services.checklist_run_start(actor=ops, template=template)
    api = verified_api_client(ops)
    assert api.post(f"/v1/checklists/runs/{run.pk}/abandon", {}, format="json").status_code == 400
    done = api.post(f"/v1/checklists/runs/{run.pk}/abandon", {"reason": "dup"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "abandoned"


def test_report__unknown_timezone__field_error(verified_api_client, ops, template):
    run = services.checklist_run_start(actor=ops, template=template)
    response = verified_api_client(ops).get(f"/v1/checklists/runs/{run.pk}/report.md?tz=Mars/Base")
    assert response.status_code == 400
    assert "tz" in response.json()["error"]["fields"]


def test_tokens__read_but_never_write(token_client, ops, template):
    run = services.checklist_run_start(actor=ops, template=template)
    api, _token = token_client(scopes=["oncall:read"])
    assert api.get("/v1/checklists/runs/").status_code == 200
    assert api.get(f"/v1/checklists/runs/{run.pk}").status_code == 200
    assert api.get(f"/v1/checklists/runs/{run.pk}/report.md").status_code == 200
    refused = api.post(f"/v1/checklists/runs/{run.pk}/items/1", {"result": "passed"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "token_not_allowed"


def test_runs__list_filters_and_counts(verified_api_client, ops, template, make_user):
    a = services.checklist_run_start(actor=ops, template=template, environment="staging")
    services.checklist_run_start(actor=ops, template=template)
    services.checklist_item_mark(actor=ops, item=a.items.get(position=1), result="passed")
    api = verified_api_client(make_user("reviewer"))

    response = api.get("/v1/checklists/runs/?environment=staging&template=api-checklist")

    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [a.pk]
    assert rows[0]["counts"]["passed"] == 1 and rows[0]["counts"]["open"] == 2


def test_runs__list_query_budget(verified_api_client, ops, template, django_assert_max_num_queries):
    for _n in range(20):
        services.checklist_run_start(actor=ops, template=template)
    api = verified_api_client(ops)
    api.get("/v1/checklists/runs/")
    with django_assert_max_num_queries(10):
        assert api.get("/v1/checklists/runs/").status_code == 200


def test_run_detail__query_budget(
    verified_api_client, ops, template, django_assert_max_num_queries
):
    run = services.checklist_run_start(actor=ops, template=template)
    for item in run.items.all():
        services.checklist_item_mark(actor=ops, item=item, result="skipped", note="n/a")
    api = verified_api_client(ops)
    api.get(f"/v1/checklists/runs/{run.pk}")
    with django_assert_max_num_queries(10):
        assert api.get(f"/v1/checklists/runs/{run.pk}").status_code == 200
