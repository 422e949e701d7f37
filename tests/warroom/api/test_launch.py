"""The launch-plan API under /v1/launches/: create from the template, read with a token,
move T0, set task status (leads and owners), the war-room log, errors and idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.warroom import services
from apps.warroom.models import LaunchLogEntry, LaunchPlan, LaunchTask
from tests.factories import ServiceAccountFactory
from tests.warroom import launch_fixtures
from tests.warroom.launch_fixtures import T0

pytestmark = pytest.mark.django_db

# The launch fixtures, shared by the test_launch_* modules.
commander = launch_fixtures.commander
make_plan = launch_fixtures.make_plan
make_task = launch_fixtures.make_task

D, H = timedelta(days=1), timedelta(hours=1)


@pytest.fixture
def ic_api(commander, verified_api_client):
    return verified_api_client(commander)


def test_create__from_template__201_with_phases_criteria_and_countdown(ic_api, commander):
    response = ic_api.post(
        "/v1/launches/",
        {"name": "API launch", "t0": "2027-03-28T11:00:00+02:00", "from_template": True},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["t0"] == "2027-03-28T09:00:00Z"
    assert [p["kind"] for p in body["phases"]] == ["preflight", "pilot", "canary", "full_go_live"]
    assert body["phases"][2]["start_offset"] == "T-7 d" and body["phases"][2]["end_offset"] == "T0"
    assert len(body["rollback_criteria"]) == 5
    assert body["rollback_criteria"][2]["threshold"].startswith("webhook success < 98%")
    assert body["countdown"]["label"].startswith("T-")
    assert body["created_by"]["username"] == commander.username
    assert body["task_count"] > 30


def test_create__naive_t0__read_as_utc(ic_api):
    response = ic_api.post("/v1/launches/", {"name": "Naive", "t0": "2027-03-28T09:00"})

    assert response.status_code == 201
    assert LaunchPlan.objects.get().t0 == T0


def test_create__t0_missing__400_field_error_nothing_written(ic_api):
    response = ic_api.post("/v1/launches/", {"name": "No T0"}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error" and "t0" in error["fields"]
    assert not LaunchPlan.objects.exists()


def test_create__same_idempotency_key__created_once(ic_api):
    body = {"name": "Once", "t0": "2027-03-28T09:00:00Z"}

    first = ic_api.post("/v1/launches/", body, format="json", HTTP_IDEMPOTENCY_KEY="launch-1")
    again = ic_api.post("/v1/launches/", body, format="json", HTTP_IDEMPOTENCY_KEY="launch-1")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert LaunchPlan.objects.count() == 1


def test_read__token_with_oncall_read__list_detail_tasks_log_criteria(make_plan, token_client):
    plan = make_plan(template=True)
    api, _token = token_client(scopes=["oncall:read"])

    listing = api.get("/v1/launches/")
    detail = api.get(f"/v1/launches/{plan.pk}")
    tasks = api.get(f"/v1/launches/{plan.pk}/tasks/?phase=canary")
    log = api.get(f"/v1/launches/{plan.pk}/log/")
    criteria = api.get(f"/v1/launches/{plan.pk}/rollback-criteria/")

    assert listing.status_code == 200 and listing.json()["results"][0]["id"] == plan.pk
    assert detail.status_code == 200 and detail.json()["name"] == plan.name
    offsets = [t["offset"] for t in tasks.json()["results"]]
    assert offsets == sorted(
        offsets, key=["T-7 d", "T-3 d", "T-1 d", "T-2 h", "T-30 min"].index
    ) and set(offsets) == {"T-7 d", "T-3 d", "T-1 d", "T-2 h", "T-30 min"}
    first = tasks.json()["results"][0]
    assert first["due_at"] == "2027-03-21T09:00:00Z" and first["offset_seconds"] == -7 * 86400
    assert log.json()["results"][0]["kind"] == "event"
    assert [c["position"] for c in criteria.json()] == [1, 2, 3, 4, 5]


def test_write__token__refused(make_plan, token_client):
    plan = make_plan()
    api, _token = token_client(scopes=["oncall:read"])

    response = api.post(f"/v1/launches/{plan.pk}/log/", {"text": "bot"}, format="json")

    assert response.status_code == 403
    assert plan.log_entries.count() == 1


def test_patch__t0_moved__due_times_move_and_logged(make_plan, make_task, ic_api):
    plan = make_plan()
    task = make_task(plan, offset=-2 * H)

    response = ic_api.patch(
        f"/v1/launches/{plan.pk}",
        {"t0": "2027-04-01T09:00:00Z", "reason": "Audit not finished"},
        format="json",
    )

    assert response.status_code == 200
    listed = ic_api.get(f"/v1/launches/{plan.pk}/tasks/").json()["results"][0]
    assert listed["offset"] == "T-2 h" and listed["due_at"] == "2027-04-01T07:00:00Z"
    decision = plan.log_entries.get(kind="decision")
    assert "Audit not finished" in decision.text
    assert task.pk == listed["id"]


def test_task_create__malformed_offset__400_nothing_written(make_plan, ic_api):
    plan = make_plan()

    response = ic_api.post(
        f"/v1/launches/{plan.pk}/tasks/",
        {"phase": "canary", "title": "X", "offset": "T minus two"},
        format="json",
    )

    assert response.status_code == 400
    assert "is not an offset from T0" in response.json()["error"]["fields"]["offset"][0]
    assert not plan.tasks.exists()


def test_task_create__owner_is_a_service_account__400_nothing_written(make_plan, ic_api):
    plan = make_plan()

    response = ic_api.post(
        f"/v1/launches/{plan.pk}/tasks/",
        {"phase": "canary", "title": "X", "offset": "T-2 h", "owner": ServiceAccountFactory().pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["owner"] == [
        "Choose an active person, not a service account."
    ]
    assert not plan.tasks.exists()


def test_task_create__valid__201(make_plan, make_user, ic_api):
    plan = make_plan()
    owner = make_user("finance")

    response = ic_api.post(
        f"/v1/launches/{plan.pk}/tasks/",
        {
            "phase": "full_go_live",
            "title": "Daily report",
            "offset": "T+24 h",
            "owner": owner.pk,
            "owner_team": "finance",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["offset"], body["owner"]["id"], body["owner_team"]) == (
        "T+24 h",
        owner.pk,
        "finance",
    )
    assert body["due_at"] == "2027-03-29T09:00:00Z"


def test_task_status__owner_201_stranger_403_lead_any(
    make_plan, make_task, make_user, verified_api_client, ic_api
):
    owner, stranger = make_user("support"), make_user("support")
    plan = make_plan()
    task = make_task(plan, owner=owner)
    url = f"/v1/launches/{plan.pk}/tasks/{task.pk}/status"

    refused = verified_api_client(stranger).post(url, {"status": "done"}, format="json")
    task.refresh_from_db()
    assert refused.status_code == 403 and task.status == "todo"

    mine = verified_api_client(owner).post(url, {"status": "in_progress"}, format="json")
    assert mine.status_code == 200, mine.content
    assert mine.json()["status_changed_by"]["id"] == owner.pk

    blocked = ic_api.post(url, {"status": "blocked"}, format="json")
    assert blocked.status_code == 400 and "note" in blocked.json()["error"]["fields"]
    done = ic_api.post(url, {"status": "done", "note": "ok"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert LaunchLogEntry.objects.filter(task=task).count() == 2


def test_task_status__task_of_another_launch__404(make_plan, make_task, ic_api):
    plan, other = make_plan(), make_plan(name="Other")
    task = make_task(other)

    response = ic_api.post(
        f"/v1/launches/{plan.pk}/tasks/{task.pk}/status", {"status": "done"}, format="json"
    )

    assert response.status_code == 404
    assert LaunchTask.objects.get(pk=task.pk).status == "todo"


def test_status__rollback_without_reason__400_with_reason__200(make_plan, commander, ic_api):
    plan = make_plan()
    services.launch_plan_set_status(actor=commander, plan=plan, status="live")

    refused = ic_api.post(f"/v1/launches/{plan.pk}/status", {"status": "rolled_back"})
    done = ic_api.post(
        f"/v1/launches/{plan.pk}/status",
        {"status": "rolled_back", "reason": "p95 pass-through 34 min twice"},
    )

    assert refused.status_code == 400 and "reason" in refused.json()["error"]["fields"]
    assert done.status_code == 200 and done.json()["status"] == "rolled_back"
    assert plan.log_entries.filter(kind="rollback").count() == 1


def test_log__append_correct_filter_and_empty_text(make_plan, ic_api):
    plan = make_plan()
    url = f"/v1/launches/{plan.pk}/log/"

    empty = ic_api.post(url, {"kind": "note", "text": ""}, format="json")
    first = ic_api.post(url, {"kind": "decision", "text": "Hold at 30%"}, format="json")
    fix = ic_api.post(
        url, {"kind": "decision", "text": "Hold at 25%", "corrects": first.json()["id"]}
    )
    decisions = ic_api.get(f"{url}?kind=decision").json()["results"]
    everywhere = ic_api.get(f"/v1/launches/log/?launch={plan.pk}&kind=decision").json()

    assert empty.status_code == 400 and "text" in empty.json()["error"]["fields"]
    assert first.status_code == 201 and fix.status_code == 201
    assert fix.json()["corrects"] == first.json()["id"]
    assert [d["text"] for d in decisions] == ["Hold at 25%", "Hold at 30%"]
    assert everywhere["count"] == 2


def test_log__no_update_or_delete_method(make_plan, ic_api):
    plan = make_plan()
    entry = plan.log_entries.get()

    for method in ("put", "patch", "delete"):
        response = getattr(ic_api, method)(f"/v1/launches/{plan.pk}/log/", {"text": "x"})
        assert response.status_code == 405
    assert LaunchLogEntry.objects.get(pk=entry.pk).text == entry.text


def test_log__global_append_without_launch__manager_only(make_user, verified_api_client, ic_api):
    made = ic_api.post("/v1/launches/log/", {"kind": "note", "text": "Quiet night"})
    refused = verified_api_client(make_user("support")).post(
        "/v1/launches/log/", {"kind": "note", "text": "hi"}
    )

    assert made.status_code == 201 and made.json()["launch"] is None
    assert refused.status_code == 403
    assert LaunchLogEntry.objects.count() == 1


def test_criteria__add__appended(make_plan, ic_api):
    plan = make_plan()

    response = ic_api.post(
        f"/v1/launches/{plan.pk}/rollback-criteria/",
        {"condition": "Refund queue grows", "threshold": "> 100 for 30 min"},
        format="json",
    )
    empty = ic_api.post(f"/v1/launches/{plan.pk}/rollback-criteria/", {"condition": ""})

    assert response.status_code == 201 and response.json()["position"] == 1
    assert empty.status_code == 400
    assert plan.rollback_criteria.count() == 1
