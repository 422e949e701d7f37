"""The incident endpoints under /v1/incidents/: reads, writes, bad input, tokens."""

from __future__ import annotations

import pytest

from apps.accounts.roles import OPS, REVIEWER
from apps.incidents.models import EntryKind, Incident, Status
from apps.incidents.services.lifecycle import incident_add_entry, incident_set_status
from apps.oncall.models import Page
from tests.factories import UserFactory
from tests.incidents import core_fixtures
from tests.incidents.factories import commander, declare

pytestmark = pytest.mark.django_db

paging_team = core_fixtures.paging_team


def _fields(response) -> dict:
    return response.json()["error"]["fields"]


def test_list__filters_and_cursor_pages(verified_api_client):
    ic = commander()
    made = [declare(actor=ic, title=f"Incident {n}") for n in range(5)]
    incident_set_status(actor=ic, incident=made[0], status="resolved")
    api = verified_api_client(UserFactory(roles=[REVIEWER]))
    first = api.get("/v1/incidents/", {"page_size": 2})
    assert first.status_code == 200
    body = first.json()
    assert [i["number"] for i in body["results"]] == [made[4].number, made[3].number]
    rest = api.get("/v1/incidents/", {"page_size": 2, "cursor": body["next_cursor"]}).json()
    assert [i["number"] for i in rest["results"]] == [made[2].number, made[1].number]
    assert rest["next_cursor"] is None  # made[0] is resolved, not open
    everything = api.get("/v1/incidents/", {"status": "all"}).json()["results"]
    assert len(everything) == 5
    mine = verified_api_client(ic).get("/v1/incidents/", {"owner": "me"}).json()["results"]
    assert len(mine) == 4
    for params, field in [
        ({"status": "bogus"}, "status"),
        ({"cursor": "!!"}, "cursor"),
        ({"owner": "nobody-here"}, "owner"),
    ]:
        response = api.get("/v1/incidents/", params)
        assert response.status_code == 400 and field in _fields(response)


def test_declare__with_page_and_bad_input(verified_api_client, paging_team):
    ic = commander()
    api = verified_api_client(ic)
    response = api.post(
        "/v1/incidents/",
        {
            "title": "Withdrawals delayed on Tron",
            "severity": "S2",
            "affected_actions": ["payout"],
            "page_team": paging_team["team"].slug,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["severity"] == "S2" and body["owner"]["id"] == ic.pk
    assert body["roles"][0]["role"] == "commander"
    assert Page.objects.get().subject.number == body["number"]
    for payload, field in [
        ({"title": "x", "severity": "S9"}, "severity"),
        ({"title": "", "severity": "S2"}, "title"),
        ({"title": "x", "severity": "S2", "affected_actions": ["nope"]}, "affected_actions"),
        ({"title": "x", "severity": "S2", "page_team": "no-such-team"}, "page_team"),
    ]:
        response = api.post("/v1/incidents/", payload, format="json")
        assert response.status_code == 400 and field in _fields(response), payload
    assert Incident.objects.count() == 1


def test_status__backwards_needs_reason_and_blockers_are_400(verified_api_client, monkeypatch):
    from apps.incidents.services import closing

    ic = commander()
    incident = declare(actor=ic)
    api = verified_api_client(ic)
    url = f"/v1/incidents/{incident.number}/status"
    assert api.post(url, {"status": "resolved"}, format="json").status_code == 200
    back = api.post(url, {"status": "identified"}, format="json")
    assert back.status_code == 400 and "reason" in _fields(back)
    monkeypatch.setattr(
        closing, "CLOSE_CHECKS", ["tests.incidents.test_core_lifecycle.always_blocked"]
    )
    detail = api.get(f"/v1/incidents/{incident.number}").json()
    assert detail["close_blockers"] == ["Post-mortem not published.", "Second."]
    blocked = api.post(url, {"status": "closed"}, format="json")
    assert blocked.status_code == 400
    assert _fields(blocked)["status"] == ["Post-mortem not published.", "Second."]
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED


def test_severity_roles_entries_merge(verified_api_client):
    ic = commander()
    incident = declare(actor=ic)
    duplicate = declare(actor=ic)
    helper = UserFactory(roles=[OPS])
    api = verified_api_client(ic)
    base = f"/v1/incidents/{incident.number}"
    bad = api.post(f"{base}/severity", {"severity": "S7"}, format="json")
    assert bad.status_code == 400 and "severity" in _fields(bad)
    assert (
        api.post(f"{base}/severity", {"severity": "S1"}, format="json").json()["severity"] == "S1"
    )
    roles = api.post(f"{base}/roles", {"role": "scribe", "person": helper.pk}, format="json")
    assert roles.status_code == 200
    assert any(r["role"] == "scribe" and r["ended_at"] is None for r in roles.json()["roles"])
    ended = api.post(f"{base}/roles", {"role": "scribe", "person": None}, format="json")
    assert ended.status_code == 200
    no_commander_end = api.post(
        f"{base}/roles", {"role": "commander", "person": None}, format="json"
    )
    assert no_commander_end.status_code == 400 and "role" in _fields(no_commander_end)
    entry = api.post(
        f"{base}/entries", {"kind": "decision", "body": "Freeze", "pinned": True}, format="json"
    )
    assert entry.status_code == 201 and entry.json()["pinned"] is True
    wrong_kind = api.post(f"{base}/entries", {"kind": "status", "body": "x"}, format="json")
    assert wrong_kind.status_code == 400 and "kind" in _fields(wrong_kind)
    merged = api.post(
        f"/v1/incidents/{duplicate.number}/merge",
        {"into": incident.number, "reason": "Same outage"},
        format="json",
    )
    assert merged.status_code == 200 and merged.json()["number"] == incident.number
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED


def test_page__team_paged(verified_api_client, paging_team):
    ic = commander()
    incident = declare(actor=ic)
    api = verified_api_client(ic)
    response = api.post(
        f"/v1/incidents/{incident.number}/page", {"team": paging_team["team"].slug}, format="json"
    )
    assert response.status_code == 201
    assert Page.objects.get().pk == response.json()["page"]
    missing = api.post(f"/v1/incidents/{incident.number}/page", {"team": "zz"}, format="json")
    assert missing.status_code == 400 and "team" in _fields(missing)


def test_writes__person_without_a_role_refused_nothing_written(verified_api_client):
    incident = declare()
    api = verified_api_client(UserFactory(roles=[OPS]))
    response = api.post(
        f"/v1/incidents/{incident.number}/entries", {"kind": "note", "body": "x"}, format="json"
    )
    assert response.status_code == 403
    assert not incident.timeline.filter(kind=EntryKind.NOTE).exists()


def test_timeline_pages_and_markdown(verified_api_client):
    ic = commander()
    incident = declare(actor=ic)
    for n in range(3):
        incident_add_entry(actor=ic, incident=incident, kind="note", body=f"Note {n}")
    api = verified_api_client(UserFactory(roles=[REVIEWER]))
    page = api.get(f"/v1/incidents/{incident.number}/timeline", {"page_size": 2}).json()
    assert page["count"] == 4 and [e["kind"] for e in page["results"]] == ["declared", "note"]
    md = api.get(f"/v1/incidents/{incident.number}/timeline.md")
    assert md.status_code == 200 and md["Content-Type"].startswith("text/markdown")
    assert "Note 2" in md.content.decode()
    assert api.get("/v1/incidents/INC-1999-0001").status_code == 404


def test_severities_listed(verified_api_client):
    rows = verified_api_client(UserFactory(roles=[REVIEWER])).get("/v1/incidents/severities")
    assert [r["code"] for r in rows.json()][:3] == ["S1", "S2", "S3"]


def test_tokens__read_scope_reads_write_scope_writes_people_only_refused(token_client, paging_team):
    ic = commander()
    incident = declare(actor=ic)
    reader, _token = token_client(scopes=["incidents:read"])
    assert reader.get("/v1/incidents/").status_code == 200
    assert reader.get(f"/v1/incidents/{incident.number}/timeline").status_code == 200
    refused = reader.post(
        f"/v1/incidents/{incident.number}/entries", {"kind": "note", "body": "x"}, format="json"
    )
    assert refused.status_code == 403
    writer, token = token_client(scopes=["incidents:read", "incidents:write"])
    note = writer.post(
        f"/v1/incidents/{incident.number}/entries",
        {"kind": "note", "body": "Error rate back to normal"},
        format="json",
    )
    assert note.status_code == 201
    assert incident.timeline.get(kind="note").actor == token.service_account
    declared = writer.post(
        "/v1/incidents/", {"title": "From automation", "severity": "S3"}, format="json"
    )
    assert declared.status_code == 400 and "owner" in _fields(declared)
    declared = writer.post(
        "/v1/incidents/",
        {"title": "From automation", "severity": "S3", "owner": ic.pk},
        format="json",
    )
    assert declared.status_code == 201 and declared.json()["owner"]["id"] == ic.pk
    roles = writer.post(
        f"/v1/incidents/{incident.number}/roles", {"role": "scribe", "person": ic.pk}, format="json"
    )
    assert roles.status_code == 403
