"""Alert API: reads, routes and windows, the test alert; pages and /metrics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from apps.incidents.models import AlertDelivery, AlertGroup, AlertRoute, MaintenanceWindow
from apps.incidents.services.alerts import delivery_process
from tests.factories import UserFactory
from tests.incidents import alerts_fixtures as fx
from tests.incidents.alerts_fixtures import am_alert, am_payload

intake, ops, paging_team, route = fx.intake, fx.ops, fx.paging_team, fx.route

pytestmark = pytest.mark.django_db


def test_group_list_and_detail__decision_log(intake, route, ops, verified_api_client):
    answer = intake(am_payload(am_alert(), am_alert(instance="b", runbook=False)))
    api = verified_api_client(ops)

    listed = api.get("/v1/alerts/groups").json()
    flagged = api.get("/v1/alerts/groups?flagged=true").json()
    group = AlertGroup.objects.get(labels__instance="b")
    detail = api.get(f"/v1/alerts/groups/{group.pk}").json()
    delivery = api.get(f"/v1/alerts/deliveries/{answer.json()['delivery']}").json()

    assert listed["count"] == 2 and flagged["count"] == 1
    assert detail["flags"] == ["no runbook_url"] and detail["route"] == "indexer"
    assert [d["kind"] for d in detail["decisions"]] == ["paged", "routed", "recorded"]
    assert [d["kind"] for d in delivery["decisions"]].count("paged") == 2
    assert delivery["payload"]["version"] == "4"


def test_bad_state_filter__400(ops, verified_api_client):
    answer = verified_api_client(ops).get("/v1/alerts/groups?state=nope")
    assert answer.status_code == 400 and "state" in answer.json()["error"]["fields"]


def test_route_create_update__matchers_validated(ops, paging_team, verified_api_client):
    api = verified_api_client(ops)

    bad = api.post(
        "/v1/alerts/routes",
        {"name": "r", "matchers": ['severity=~"("'], "team": "indexer"},
        format="json",
    )
    created = api.post(
        "/v1/alerts/routes",
        {"name": "r", "matchers": ['severity=~"crit|page"'], "team": "indexer"},
        format="json",
    )
    route_id = created.json()["id"]
    changed = api.patch(f"/v1/alerts/routes/{route_id}", {"enabled": False}, format="json")
    unknown = api.patch(
        f"/v1/alerts/routes/{route_id}", {"open_incident_severity": "S9"}, format="json"
    )

    assert bad.status_code == 400 and "matchers" in bad.json()["error"]["fields"]
    assert created.status_code == 201 and created.json()["matchers"] == ['severity=~"crit|page"']
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    assert unknown.status_code == 400
    assert "open_incident_severity" in unknown.json()["error"]["fields"]
    assert AlertRoute.objects.count() == 1


def test_route_test__api__delivery_marked_test(
    ops, route, verified_api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = verified_api_client(ops).post(f"/v1/alerts/routes/{route.pk}/test")
    delivery_process(answer.json()["delivery"])

    assert answer.status_code == 202 and len(queued) == 1
    assert AlertDelivery.objects.get(pk=answer.json()["delivery"]).is_test
    assert AlertGroup.objects.get().is_test


def test_window_create_and_end(ops, verified_api_client):
    api = verified_api_client(ops)
    now = timezone.now()

    backwards = api.post(
        "/v1/alerts/maintenance-windows",
        {
            "matchers": ['service="x"'],
            "starts_at": now.isoformat(),
            "ends_at": (now - timedelta(hours=1)).isoformat(),
            "reason": "upgrade",
        },
        format="json",
    )
    created = api.post(
        "/v1/alerts/maintenance-windows",
        {
            "matchers": ['service="x"'],
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
            "reason": "upgrade",
        },
        format="json",
    )
    ended = api.post(f"/v1/alerts/maintenance-windows/{created.json()['id']}/end")

    assert backwards.status_code == 400 and "ends_at" in backwards.json()["error"]["fields"]
    assert created.status_code == 201 and created.json()["active"] is True
    assert ended.status_code == 200 and ended.json()["active"] is False
    assert MaintenanceWindow.objects.count() == 1


def test_pages__constant_queries(
    intake, route, ops, verified_client, django_assert_max_num_queries
):
    client = verified_client(ops)
    for n in range(3):
        intake(am_payload(am_alert(instance=str(n))))
    group = AlertGroup.objects.first()
    delivery = AlertDelivery.objects.first()
    paths = [
        "/incidents/alerts/",
        f"/incidents/alerts/groups/{group.pk}/",
        "/incidents/alerts/deliveries/",
        f"/incidents/alerts/deliveries/{delivery.pk}/",
        "/incidents/alerts/routes/",
        "/incidents/alerts/windows/",
        "/incidents/alerts/metrics/",
    ]
    budgets = {}
    for path in paths:
        client.get(path)  # warm
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            assert client.get(path).status_code == 200
        budgets[path] = len(few)
    for n in range(3, 30):
        intake(am_payload(am_alert(instance=str(n)), am_alert(instance=f"x{n}")))

    for path in paths:
        with django_assert_max_num_queries(budgets[path]):
            assert client.get(path).status_code == 200


def test_group_page_flags_missing_owner_and_runbook(intake, ops, verified_client):
    intake(am_payload(am_alert(runbook=False)))

    page = verified_client(ops).get("/incidents/alerts/").content.decode()

    assert "no owner team" in page and "no runbook_url" in page


def test_page_forms__route_create_and_window(ops, paging_team, verified_client):
    client = verified_client(ops)

    bad = client.post(
        "/incidents/alerts/routes/new",
        {
            "name": "r",
            "matchers": 'a=~"("',
            "team": paging_team["team"].pk,
            "threshold_count": 1,
            "threshold_minutes": 0,
        },
    )
    good = client.post(
        "/incidents/alerts/routes/new",
        {
            "name": "r",
            "matchers": 'service="indexer"',
            "team": paging_team["team"].pk,
            "threshold_count": 1,
            "threshold_minutes": 0,
            "enabled": "on",
        },
    )

    assert bad.status_code == 200 and "not a regular expression" in bad.content.decode()
    assert good.status_code == 302 and AlertRoute.objects.get().matchers == [
        {"name": "service", "op": "=", "value": "indexer"}
    ]


def test_people_without_the_right__cannot_edit_routes(paging_team, verified_api_client):
    support = UserFactory(roles=["support"])
    answer = verified_api_client(support).post(
        "/v1/alerts/routes", {"name": "r", "matchers": [], "team": "indexer"}, format="json"
    )
    assert answer.status_code == 403


def test_metrics__alerts_by_route_and_noisiest(intake, route, client):
    intake(am_payload(am_alert("A", instance="1"), am_alert("A", instance="2")))
    intake(am_payload(am_alert("B", service="other")))

    text = client.get("/metrics").content.decode()
    families = {f.name: f for f in text_string_to_metric_families(text)}

    by_route = {s.labels["route"]: s.value for s in families["opsportal_alerts_by_route"].samples}
    noisy = {
        s.labels["alertname"]: s.value for s in families["opsportal_alerts_noisiest_rules"].samples
    }
    assert by_route == {"indexer": 2, "": 1}
    assert noisy == {"A": 2, "B": 1}
