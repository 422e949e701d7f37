"""The audit trail page: permission, filters, pagination, query count and export."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
import time_machine

from apps.audit.models import AccessLogEntry, AuditEvent, LogEntry

pytestmark = pytest.mark.django_db

URL = "/audit/"
EXPORT_URL = "/audit/export/"


def _body(response) -> str:
    return response.content.decode()


def _stream(response) -> str:
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def viewer(make_user, verified_client):
    user = make_user("ops", username="viewer")
    return verified_client(user), user


@pytest.fixture
def exporter(make_user, verified_client):
    user = make_user("super_admin", username="exporter")
    return verified_client(user), user


@pytest.fixture
def history(make_user, audited, write_event, write_access):
    """Alice renames Bob at 09:00 UTC; Carol records an event and an access at 15:00."""
    alice = make_user(username="alice")
    carol = make_user(username="carol")
    bob = make_user(username="bob", first_name="Bob")
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        with audited(alice, request_id="req-alice"):
            bob.first_name = "Robert"
            bob.save()
    with time_machine.travel(datetime(2026, 3, 2, 15, 0, tzinfo=UTC), tick=False):
        with audited(carol, request_id="req-carol"):
            write_event("flag.blocked", target=bob, data={"reason": "incident"})
            write_event("account.role_granted", target=carol)
            write_access(bob, reason="ticket SUP-9", ticket="SUP-9", what="reveal")
    return {"alice": alice, "bob": bob, "carol": carol}


@pytest.mark.parametrize("role", ["ops", "super_admin", "reviewer", "incident_commander"])
def test_trail_page__role_with_view_permission__shown(make_user, verified_client, role):
    client = verified_client(make_user(role))

    response = client.get(URL)

    assert response.status_code == 200


@pytest.mark.parametrize("role", ["support", "finance"])
def test_trail_page__role_without_view_permission__403(make_user, verified_client, role):
    client = verified_client(make_user(role))

    assert client.get(URL).status_code == 403
    assert client.get(EXPORT_URL).status_code == 403


def test_trail_page__anonymous__sent_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_trail_page__ops_without_export_permission__no_export(viewer, history):
    client, _user = viewer

    page = client.get(URL)
    export = client.post(EXPORT_URL, {"export_format": "csv", "reason": "curious"})

    assert EXPORT_URL not in _body(page)
    assert export.status_code == 403
    assert not AccessLogEntry.objects.filter(what="export").exists()


def test_trail_page__nav__has_audit_item_for_viewers(viewer):
    client, _user = viewer

    assert 'href="/audit/"' in _body(client.get("/"))


def test_trail_page__filter_by_actor__only_their_changes(viewer, history):
    client, _user = viewer

    response = client.get(URL, {"kind": "changes", "actor": "ALICE"})

    rows = list(response.context["page"])
    assert rows and all(row.actor_id == history["alice"].pk for row in rows)
    assert "Robert" in _body(response)


def test_trail_page__filter_by_object__only_that_object(viewer, history):
    client, _user = viewer
    bob = history["bob"]

    response = client.get(
        URL, {"kind": "changes", "object_type": "accounts.user", "object_id": bob.pk}
    )

    rows = list(response.context["page"])
    assert {row.object_pk for row in rows} == {str(bob.pk)}
    assert {row.action for row in rows} == {LogEntry.Action.CREATE, LogEntry.Action.UPDATE}


def test_trail_page__filter_by_action__only_updates(viewer, history):
    client, _user = viewer

    response = client.get(URL, {"kind": "changes", "action": "update"})

    rows = list(response.context["page"])
    assert rows and {row.action for row in rows} == {LogEntry.Action.UPDATE}


def test_trail_page__events_by_name_prefix__matching_events(viewer, history):
    client, _user = viewer

    response = client.get(URL, {"kind": "events", "action": "flag."})

    assert [row.name for row in response.context["page"]] == ["flag.blocked"]


def test_trail_page__access_by_object__matching_records(viewer, history):
    client, _user = viewer
    bob = history["bob"]

    response = client.get(
        URL, {"kind": "access", "object_type": "accounts.user", "object_id": bob.pk}
    )

    rows = list(response.context["page"])
    assert [(row.what, row.ticket) for row in rows] == [("reveal", "SUP-9")]
    assert "ticket SUP-9" in _body(response)


def test_trail_page__time_range_in_viewer_time_zone__filters_and_shows_local_time(
    make_user, verified_client, history
):
    # Jakarta is UTC+7: 15:00 UTC is 22:00 there.
    client = verified_client(make_user("ops", timezone="Asia/Jakarta"))

    late = client.get(
        URL, {"kind": "events", "since": "2026-03-02T21:00", "until": "2026-03-02T23:00"}
    )
    early = client.get(
        URL, {"kind": "events", "since": "2026-03-02T00:00", "until": "2026-03-02T21:00"}
    )

    assert len(late.context["page"]) == 2
    assert "2026-03-02 22:00:00" in _body(late)
    assert "Asia/Jakarta" in _body(late)
    assert len(early.context["page"]) == 0


def test_trail_page__invalid_filter__field_error_and_no_rows(viewer, history):
    client, _user = viewer

    response = client.get(URL, {"kind": "changes", "object_type": "not a type"})

    assert response.status_code == 200
    assert len(response.context["page"]) == 0
    assert "app_label.model" in _body(response)


def test_trail_page__many_rows__paginated(viewer, write_event):
    client, _user = viewer
    for number in range(55):
        write_event(f"test.bulk_{number}")

    first = client.get(URL, {"kind": "events", "action": "test.bulk_"})
    second = client.get(URL, {"kind": "events", "action": "test.bulk_", "page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 5
    assert "action=test.bulk_" in _body(first)  # the next-page link keeps the filter


@pytest.mark.parametrize("kind", ["changes", "events", "access"])
def test_trail_page__query_count__does_not_grow_with_rows(
    viewer, make_user, audited, write_event, write_access, django_assert_max_num_queries, kind
):
    client, _user = viewer

    def add_rows(count):
        for number in range(count):
            actor = make_user()
            with audited(actor):
                actor.first_name = f"n{number}"
                actor.save()
                write_event("test.count", target=actor)
                write_access(actor)

    add_rows(2)
    with django_assert_max_num_queries(12):
        client.get(URL, {"kind": kind})
    add_rows(30)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"kind": kind})
    assert len(response.context["page"]) >= 30


def test_export_form__asks_for_a_reason(exporter, history):
    client, _user = exporter

    response = client.get(EXPORT_URL, {"kind": "events", "actor": "carol"})

    assert response.status_code == 200
    assert 'name="reason"' in _body(response)
    assert "carol" in _body(response)


def test_export__without_reason__form_error_and_nothing_logged(exporter, history):
    client, _user = exporter

    response = client.post(f"{EXPORT_URL}?kind=events", {"export_format": "csv", "reason": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not AccessLogEntry.objects.filter(what="export").exists()


def test_export_csv__filtered__contains_only_those_rows_and_is_logged(exporter, history):
    client, user = exporter

    response = client.post(
        f"{EXPORT_URL}?kind=changes&actor=alice",
        {"export_format": "csv", "reason": "quarterly review", "ticket": "AUD-7"},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(_stream(response))))
    expected = LogEntry.objects.filter(actor=history["alice"])
    assert sorted(int(row["id"]) for row in rows) == sorted(expected.values_list("id", flat=True))
    assert {row["actor"] for row in rows} == {"alice"}
    assert any(json.loads(row["changes"]).get("first_name") == ["Bob", "Robert"] for row in rows)
    access = AccessLogEntry.objects.get(what="export")
    assert (access.actor_id, access.reason, access.ticket) == (user.pk, "quarterly review", "AUD-7")
    assert access.subject_type == "audit.logentry"
    event = AuditEvent.objects.get(name="audit.exported")
    assert event.actor_id == user.pk
    assert event.data == {
        "kind": "changes",
        "format": "csv",
        "filters": {"actor": "alice"},
        "rows": len(rows),
    }
    assert event.target_id == str(access.pk)


def test_export_json__events_filtered_by_time__contains_those_rows(exporter, history):
    client, _user = exporter

    response = client.post(
        f"{EXPORT_URL}?kind=events&since=2026-03-02T12:00&until=2026-03-02T16:00",
        {"export_format": "json", "reason": "incident review"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(_stream(response))
    assert sorted(row["name"] for row in data) == ["account.role_granted", "flag.blocked"]
    blocked = next(row for row in data if row["name"] == "flag.blocked")
    assert blocked["data"] == {"reason": "incident"}
    assert blocked["actor"] == "carol"
    assert blocked["timestamp"] == "2026-03-02T15:00:00+00:00"
    assert AccessLogEntry.objects.filter(what="export", reason="incident review").count() == 1


def test_export_csv__formula_like_text__neutralised(exporter, write_event):
    client, _user = exporter
    write_event("test.formula", data={}, target=("x.y", "1", "=HYPERLINK(1)"))

    response = client.post(
        f"{EXPORT_URL}?kind=events&action=test.formula",
        {"export_format": "csv", "reason": "check"},
    )

    row = next(csv.DictReader(io.StringIO(_stream(response))))
    assert row["target_repr"] == "'=HYPERLINK(1)"


# --- readable records ------------------------------------------------------------------------


def test_trail_page__change_with_a_field_named_items__answers_and_shows_it(viewer):
    """A checklist run's change record has a field called ``items``: the page must show it
    as a field (a template looking up ``changes.items`` took the field for the method)."""
    from apps.warroom import services
    from apps.warroom.models import ChecklistRun, ChecklistTemplate

    client, user = viewer
    run = services.checklist_run_start(
        actor=user,
        template=ChecklistTemplate.objects.get(slug="prod-smoke-test"),
        environment=ChecklistRun.Environment.PRODUCTION,
    )
    change = LogEntry.objects.filter(object_pk=str(run.pk), changes__has_key="items").first()
    assert change is not None, "starting a run records a change with an items field"

    response = client.get(URL)

    assert response.status_code == 200
    shown = next(row for row in response.context["page"] if row.pk == change.pk)
    assert "items" in {row["field"] for row in shown.change_rows}
    assert 'title="items"' in _body(response)
    # Choices are shown by their labels, not their stored values.
    status_row = next(row for row in shown.change_rows if row["field"] == "status")
    assert status_row["after"] == ChecklistRun.Status.IN_PROGRESS.label


def test_trail_page__event_data__a_key_value_list_not_a_python_dict(viewer, write_event):
    client, _user = viewer
    write_event(
        "flag.blocked",
        data={"flag": "claim", "scope": {"kind": "user", "value": "cust-1"}, "until": None},
    )

    body = _body(client.get(URL + "?kind=events"))

    assert "{&#x27;" not in body and "{'" not in body
    assert '<dt title="flag">Flag</dt><dd>claim</dd>' in body
    assert '<dt title="scope">Scope</dt><dd><dl class="data"><dt title="kind">Kind</dt>' in body
