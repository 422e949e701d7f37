"""The read-only audit API: /v1/audit/changes/, /v1/audit/events/, /v1/audit/access/."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEvent, LogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(make_user, verified_api_client):
    return verified_api_client(make_user("reviewer"))


@pytest.fixture
def history(make_user, audited, write_event, write_access):
    alice = make_user(username="alice")
    bob = make_user(username="bob", first_name="Bob")
    with audited(alice, request_id="req-api"):
        bob.first_name = "Robert"
        bob.save()
        write_event("flag.blocked", target=bob, data={"scope": "global"})
        write_event("account.role_granted", target=alice)
        write_access(bob, reason="ticket", ticket="SUP-1")
    return {"alice": alice, "bob": bob}


def test_changes_list__filtered_by_actor_and_action__only_matching(api, history):
    response = api.get("/v1/audit/changes/", {"actor": "alice", "action": "update"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["actor"] == "alice"
    assert row["action"] == "update"
    assert row["object_type"] == "accounts.user"
    assert row["object_id"] == str(history["bob"].pk)
    assert row["changes"]["first_name"] == ["Bob", "Robert"]
    assert row["request_id"] == "req-api"
    assert len(row["row_hash"]) == 64


def test_changes_retrieve__one_row__returned(api, history):
    entry = LogEntry.objects.filter(actor=history["alice"]).first()

    response = api.get(f"/v1/audit/changes/{entry.pk}/")

    assert response.status_code == 200
    assert response.json()["id"] == entry.pk


def test_events_list__filtered_by_name_prefix_and_object__matching(api, history):
    bob = history["bob"]

    response = api.get(
        "/v1/audit/events/",
        {"action": "flag.", "object_type": "accounts.user", "object_id": bob.pk},
    )

    results = response.json()["results"]
    assert [row["name"] for row in results] == ["flag.blocked"]
    assert results[0]["data"] == {"scope": "global"}


def test_events_list__time_range__inclusive_and_iso(api, history):
    event = AuditEvent.objects.get(name="flag.blocked")
    stamp = event.timestamp.isoformat()

    hit = api.get("/v1/audit/events/", {"since": stamp, "until": stamp})
    miss = api.get("/v1/audit/events/", {"until": "2000-01-01T00:00:00Z"})

    assert [row["id"] for row in hit.json()["results"]] == [event.pk]
    assert miss.json()["count"] == 0


def test_access_list__reviewer__sees_access_records(api, history):
    response = api.get("/v1/audit/access/", {"object_id": history["bob"].pk})

    assert [row["ticket"] for row in response.json()["results"]] == ["SUP-1"]


def test_changes_list__bad_filter__400_with_field_error(api, history):
    response = api.get("/v1/audit/changes/", {"action": "rename", "object_type": "bad"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) >= {"action", "object_type"}


def test_changes_list__paginated(api, make_user):
    for _number in range(3):
        make_user()

    response = api.get("/v1/audit/changes/", {"page_size": 2})

    body = response.json()
    assert len(body["results"]) == 2
    assert body["next"]


@pytest.mark.parametrize("path", ["/v1/audit/changes/", "/v1/audit/events/"])
def test_audit_api__support_role__403(make_user, verified_api_client, path):
    response = verified_api_client(make_user("support")).get(path)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("path", ["/v1/audit/changes/", "/v1/audit/events/"])
def test_audit_api__service_token__refused(token_client, path):
    client, _token = token_client(scopes=["flags:read", "config:read"])

    response = client.get(path)

    assert response.status_code == 403


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_audit_api__write_methods__not_allowed_and_nothing_changes(api, history, method):
    event = AuditEvent.objects.get(name="flag.blocked")
    path = "/v1/audit/events/" if method == "post" else f"/v1/audit/events/{event.pk}/"

    response = getattr(api, method)(path, {"name": "forged"}, format="json")

    assert response.status_code in (403, 405)
    assert AuditEvent.objects.get(pk=event.pk).name == "flag.blocked"
    assert not AuditEvent.objects.filter(name="forged").exists()


def test_events_list__model_moved_apps__filter_finds_rows_under_the_former_label(
    api, make_user, write_event
):
    from apps.oncall.services import team_create

    ops = make_user("ops")
    team = team_create(actor=ops, name="Moved", slug="moved")
    write_event("team.updated", actor=ops, target=("warroom.team", team.pk, "Moved"))

    response = api.get("/v1/audit/events/", {"object_type": "oncall.team", "object_id": team.pk})

    rows = response.json()["results"]
    assert sorted((row["name"], row["target_type"]) for row in rows) == [
        ("team.created", "oncall.team"),
        ("team.updated", "warroom.team"),
    ]
