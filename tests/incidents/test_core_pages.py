"""The incident pages: list (keyset pages, filters), declare, the incident page and its
actions, exports, severity levels."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from apps.accounts.roles import FINANCE, OPS, REVIEWER, SUPER_ADMIN
from apps.incidents.models import EntryKind, Incident, Severity, Status
from apps.incidents.services.lifecycle import (
    incident_add_entry,
    incident_assign_role,
    incident_set_status,
)
from apps.oncall.models import Page
from tests.factories import UserFactory
from tests.incidents import core_fixtures
from tests.incidents.factories import commander, declare

pytestmark = pytest.mark.django_db

paging_team = core_fixtures.paging_team


def detail_url(incident, name="detail"):
    return reverse(f"incidents:{name}", args=[incident.number])


def test_list__open_by_default_filters_and_keyset_pages(verified_client):
    ic = commander()
    incidents = [declare(actor=ic, title=f"Incident {n}") for n in range(30)]
    incident_set_status(actor=ic, incident=incidents[0], status="resolved")
    client = verified_client(UserFactory(roles=[REVIEWER]))
    first = client.get("/incidents/")
    assert first.status_code == 200
    shown = [i.number for i in first.context["incidents"]]
    assert len(shown) == 25 and incidents[0].number not in shown
    assert shown[0] == incidents[-1].number  # newest first
    second = client.get("/incidents/" + first.context["next_url"])
    rest = [i.number for i in second.context["incidents"]]
    assert len(rest) == 4 and not set(rest) & set(shown)
    assert second.context["next_url"] is None
    resolved = client.get("/incidents/", {"status": "resolved"})
    assert [i.number for i in resolved.context["incidents"]] == [incidents[0].number]
    text = client.get("/incidents/", {"status": "all", "q": "Incident 7"})
    assert [i.title for i in text.context["incidents"]] == ["Incident 7"]
    mine = client.get("/incidents/", {"status": "all", "mine": "on"})
    assert list(mine.context["incidents"]) == []
    bad_cursor = client.get("/incidents/", {"cursor": "garbage!"})
    assert bad_cursor.status_code == 200 and len(bad_cursor.context["incidents"]) == 25


def test_list__query_count_does_not_grow_with_rows(verified_client, django_assert_max_num_queries):
    ic = commander()
    declare(actor=ic)
    client = verified_client(ic)
    client.get("/incidents/")  # warm caches (content types, permissions)
    with django_assert_max_num_queries(12) as few:
        client.get("/incidents/")
    for n in range(20):
        declare(actor=commander(), severity="S1" if n % 2 else "S3")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/incidents/")
    assert len(response.context["incidents"]) == 21


def test_declare__form_pages_the_team_and_opens_the_incident(verified_client, paging_team):
    ic = commander()
    client = verified_client(ic)
    assert client.get("/incidents/declare").status_code == 200
    response = client.post(
        "/incidents/declare",
        {
            "title": "Withdrawals delayed on Tron",
            "severity": "S2",
            "affected_actions": ["payout"],
            "page_team": paging_team["team"].pk,
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(incident)
    assert incident.affected_actions == ["payout"] and incident.owner == ic
    assert Page.objects.get().subject == incident


def test_declare__bad_input_shows_field_errors_and_writes_nothing(verified_client):
    client = verified_client(commander())
    response = client.post(
        "/incidents/declare", {"title": "", "severity": "S9", "affected_actions": ["nope"]}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"title", "severity", "affected_actions"}
    assert not Incident.objects.exists()


def test_declare__reviewer_refused(verified_client):
    client = verified_client(UserFactory(roles=[REVIEWER]))
    assert client.get("/incidents/declare").status_code == 403


def test_detail__everyone_sees_only_runners_get_controls(verified_client):
    ic = commander()
    incident = declare(actor=ic)
    incident_add_entry(
        actor=ic, incident=incident, kind="note", body="Secret detail", internal_only=True
    )
    reviewer_page = verified_client(UserFactory(roles=[REVIEWER])).get(detail_url(incident))
    assert reviewer_page.status_code == 200
    assert b"Secret detail" in reviewer_page.content
    assert b"internal only" in reviewer_page.content
    assert not reviewer_page.context["may_run"]
    assert b'action="/incidents/' not in reviewer_page.content
    owner_page = verified_client(ic).get(detail_url(incident))
    assert owner_page.context["may_run"]
    assert detail_url(incident, "status").encode() in owner_page.content


def test_detail__query_budget_same_with_one_or_many_entries(
    verified_client, django_assert_max_num_queries
):
    ic = commander()
    incident = declare(actor=ic)
    helper = UserFactory(roles=[FINANCE])
    incident_assign_role(actor=ic, incident=incident, role="finance", person=helper)
    client = verified_client(ic)
    client.get(detail_url(incident))
    with django_assert_max_num_queries(60) as one:
        client.get(detail_url(incident))
    budget = len(one.captured_queries)
    for n in range(150):
        incident_add_entry(
            actor=ic if n % 2 else helper,
            incident=incident,
            kind="decision" if n % 3 else "note",
            body=f"Entry {n}",
            pinned=n % 10 == 0,
        )
    with django_assert_max_num_queries(budget):
        response = client.get(detail_url(incident))
    assert response.status_code == 200
    assert len(response.context["pinned"]) == 15


def test_detail__status_back_without_reason_shows_the_error(verified_client):
    ic = commander()
    incident = incident_set_status(actor=ic, incident=declare(actor=ic), status="mitigated")
    client = verified_client(ic)
    response = client.post(
        detail_url(incident, "status"), {"status-status": "investigating", "status-reason": ""}
    )
    assert response.status_code == 400
    assert "reason" in response.context["status_form"].errors
    incident.refresh_from_db()
    assert incident.status == Status.MITIGATED
    ok = client.post(
        detail_url(incident, "status"),
        {"status-status": "investigating", "status-reason": "Errors are back"},
    )
    assert ok.status_code == 302


def test_detail__close_blockers_shown_and_refused(verified_client, monkeypatch):
    from apps.incidents.services import closing

    monkeypatch.setattr(
        closing, "CLOSE_CHECKS", ["tests.incidents.test_core_lifecycle.always_blocked"]
    )
    ic = commander()
    incident = incident_set_status(actor=ic, incident=declare(actor=ic), status="resolved")
    client = verified_client(ic)
    page = client.get(detail_url(incident))
    assert b"Post-mortem not published." in page.content
    response = client.post(detail_url(incident, "status"), {"status-status": "closed"})
    assert response.status_code == 400
    assert b"Post-mortem not published." in response.content


def test_detail__actions_of_a_runner(verified_client, paging_team):
    ic = commander()
    incident = declare(actor=ic)
    other = declare(actor=ic, title="Same thing")
    person = UserFactory(roles=[OPS])
    client = verified_client(ic)
    steps = [
        ("severity", {"severity-severity": "S1", "severity-reason": "Funds at risk"}),
        ("role", {"role-role": "scribe", "role-person": person.pk}),
        ("role_end", {"endrole-role": "scribe"}),
        ("entry", {"entry-kind": "decision", "entry-body": "Freeze payouts", "entry-pinned": "on"}),
        ("page", {"page-team": paging_team["team"].pk}),
        (
            "edit",
            {
                "title": "Tron withdrawals",
                "started_at": "2026-01-01T10:00",
                "detected_at": "2026-01-01T10:05",
                "affected_actions": ["payout"],
            },
        ),
    ]
    for name, data in steps:
        response = client.post(detail_url(incident, name), data)
        assert response.status_code == 302, (
            name,
            response.context and response.context.get(f"{name}_form"),
        )
    kinds = set(incident.timeline.values_list("kind", flat=True))
    assert kinds >= {"severity", "role", "decision", "page", "edit"}
    response = client.post(
        detail_url(other, "merge"), {"merge-into": incident.number, "merge-reason": "Same"}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == Status.MERGED


def test_detail__actions_refused_for_a_person_without_a_role(verified_client):
    incident = declare()
    client = verified_client(UserFactory(roles=[OPS]))
    response = client.post(
        detail_url(incident, "entry"), {"entry-kind": "note", "entry-body": "hi"}
    )
    assert response.status_code == 403
    assert not incident.timeline.filter(kind=EntryKind.NOTE).exists()


def test_exports__markdown_and_json(verified_client):
    ic = commander()
    incident = declare(actor=ic, title="Tron delays")
    incident_add_entry(actor=ic, incident=incident, kind="note", body="Line\none", pinned=True)
    client = verified_client(UserFactory(roles=[REVIEWER]))
    md = client.get(detail_url(incident, "timeline_md"))
    assert md["Content-Type"].startswith("text/markdown")
    text = md.content.decode()
    assert text.startswith(f"# {incident.number}: Tron delays")
    assert "Line one" in text and "_(pinned)_" in text
    data = json.loads(client.get(detail_url(incident, "timeline_json")).content)
    assert data["incident"]["number"] == incident.number
    assert [e["kind"] for e in data["entries"]] == ["declared", "note"]


def test_severities__list_for_all_edit_for_super_admins(verified_client):
    client = verified_client(UserFactory(roles=[REVIEWER]))
    assert client.get("/incidents/severities/").status_code == 200
    s3 = Severity.objects.get(code="S3")
    assert client.get(f"/incidents/severities/{s3.pk}/edit").status_code == 403
    admin = verified_client(UserFactory(roles=[SUPER_ADMIN]))
    base = {
        "code": "S3",
        "name": "Minor",
        "description": "",
        "rank": 3,
        "postmortem_due_hours": 72,
        "update_interval_minutes": 240,
        "is_active": "on",
    }
    bad = admin.post(f"/incidents/severities/{s3.pk}/edit", {**base, "postmortem_due_hours": 0})
    assert bad.status_code == 400 and "postmortem_due_hours" in bad.context["form"].errors
    ok = admin.post(f"/incidents/severities/{s3.pk}/edit", {**base, "postmortem_required": "on"})
    assert ok.status_code == 302
    s3.refresh_from_db()
    assert s3.postmortem_required and s3.postmortem_due_hours == 72
    new = admin.post("/incidents/severities/new", {**base, "code": "S4", "rank": 4})
    assert new.status_code == 302 and Severity.objects.filter(code="S4").exists()
