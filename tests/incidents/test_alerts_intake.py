"""Alert intake: what the issue says it must show, through the API and the task."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEvent
from apps.incidents.models import Alert, AlertDecision, AlertDelivery, AlertGroup, AlertPage
from apps.oncall.models import Page
from tests.incidents import alerts_fixtures as fx
from tests.incidents.alerts_fixtures import T0, am_alert, am_payload, decisions_of, timedelta

intake, ops, paging_team, route = fx.intake, fx.ops, fx.paging_team, fx.route

pytestmark = pytest.mark.django_db


def test_firing_more_repeat_truncated_resolved__one_group_per_fingerprint_one_page(intake, route):
    a = am_alert("IndexerLag", instance="a")
    b = am_alert("IndexerLag", instance="b")

    first = intake(am_payload(a))
    second = intake(am_payload(a, b))  # the same group again with one more alert
    repeat = intake(am_payload(a, b))  # a repeated notification (or the HA peer's)
    truncated = intake(am_payload(a, truncated=1))  # b left out: not resolved by absence
    groups_before_resolution = {g.fingerprint: g.state for g in AlertGroup.objects.all()}
    resolved = intake(
        am_payload(
            am_alert("IndexerLag", instance="a", status="resolved", ends=T0 + timedelta(minutes=9)),
            am_alert("IndexerLag", instance="b", status="resolved", ends=T0 + timedelta(minutes=9)),
        )
    )

    assert all(r.status_code == 202 for r in (first, second, repeat, truncated, resolved))
    assert set(groups_before_resolution.values()) == {"firing"}
    assert AlertGroup.objects.count() == 2
    assert set(AlertGroup.objects.values_list("state", flat=True)) == {"resolved"}
    assert Alert.objects.count() == 4  # two firing, two resolved: each stored once
    assert Page.objects.count() == 2  # one per group (fingerprint) and episode
    assert AlertPage.objects.count() == 2
    assert decisions_of(first) == [(0, "recorded"), (0, "routed"), (0, "paged")]
    assert decisions_of(second) == [
        (0, "deduplicated"),
        (1, "recorded"),
        (1, "routed"),
        (1, "paged"),
    ]
    assert decisions_of(repeat) == [(0, "deduplicated"), (1, "deduplicated")]
    assert decisions_of(truncated) == [(-1, "not_resolved"), (0, "deduplicated")]
    assert decisions_of(resolved) == [(0, "resolved"), (1, "resolved")]
    # No chained audit row per alert: the decision log is the record.
    assert not AuditEvent.objects.filter(name__startswith="alert").exists()


def test_group_paged_once__same_alert_from_two_deliveries(intake, route):
    intake(am_payload(am_alert()))
    intake(am_payload(am_alert()))

    page = Page.objects.get()
    group = AlertGroup.objects.get()
    assert page.subject == group and page.team == route.team and not page.is_test
    assert group.route == route and group.team == route.team and group.episode == 1


def test_ha_out_of_order__late_firing_stays_resolved__newer_firing_reopens(intake, route):
    firing = am_alert()
    resolved = am_alert(status="resolved", ends=T0 + timedelta(minutes=5))

    intake(am_payload(firing))
    intake(am_payload(firing))
    intake(am_payload(resolved))
    late = intake(am_payload(firing))  # the other Alertmanager's copy, arriving last
    group = AlertGroup.objects.get()
    state_after_late = group.state

    reopened = intake(am_payload(am_alert(starts=T0 + timedelta(minutes=20))))
    group.refresh_from_db()

    assert state_after_late == "resolved"
    assert decisions_of(late) == [(0, "deduplicated")]
    assert group.state == "firing" and group.episode == 2
    assert decisions_of(reopened) == [(0, "reopened"), (0, "routed"), (0, "paged")]
    assert Page.objects.count() == 2  # one per firing episode


def test_resolution_of_an_older_episode_is_stale(intake, route):
    intake(am_payload(am_alert(starts=T0 + timedelta(minutes=20))))
    old = intake(am_payload(am_alert(status="resolved", ends=T0 + timedelta(minutes=5))))

    assert AlertGroup.objects.get().state == "firing"
    assert decisions_of(old) == [(0, "stale")]


def test_firing_seen_after_its_resolution_never_reopens(intake, route):
    intake(am_payload(am_alert(status="resolved", ends=T0 + timedelta(minutes=5))))
    late = intake(am_payload(am_alert()))

    assert AlertGroup.objects.get().state == "resolved"
    assert decisions_of(late) == [(0, "stale")]
    assert not Page.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**am_payload(am_alert()), "version": "3"}, "version"),
        ({**am_payload(am_alert()), "version": 4}, "version"),
        ({**am_payload(am_alert()), "status": "odd"}, "status"),
        ({**am_payload(am_alert()), "truncatedAlerts": -1}, "truncatedAlerts"),
        ({**am_payload(am_alert()), "alerts": "x"}, "alerts"),
        ({**am_payload(am_alert(), am_alert(), am_alert(instance="c"))}, None),
        ({**am_payload({**am_alert(), "startsAt": "yesterday"})}, "alerts[0].startsAt"),
        ({**am_payload({**am_alert(), "labels": {}})}, "alerts[0].labels"),
        ({**am_payload({**am_alert(), "status": "pending"})}, "alerts[0].status"),
        ([1, 2], "body"),
    ],
)
def test_malformed_delivery__400_with_field__nothing_written(intake, body, field):
    if field is None:  # the third alert broken: the path names its index
        body["alerts"][2]["startsAt"] = "2026-13-01T00:00:00Z"
        field = "alerts[2].startsAt"

    answer = intake(body)

    assert answer.status_code == 400
    assert field in answer.json()["error"]["fields"]
    assert not AlertDelivery.objects.exists()


def test_malformed_json__400_on_body__nothing_written(intake):
    answer = intake.api.post(
        "/v1/alerts/alertmanager",
        data='{"version": "4", "alerts": [',
        content_type="application/json",
    )

    assert answer.status_code == 400
    assert "body" in answer.json()["error"]["fields"]
    assert not AlertDelivery.objects.exists()


def test_start_time_message_names_rfc3339(intake):
    body = am_payload(am_alert(), am_alert(instance="b"), am_alert(instance="c"))
    body["alerts"][2]["startsAt"] = "12/01/2026"

    answer = intake(body)

    assert answer.json()["error"]["fields"]["alerts[2].startsAt"] == ["not an RFC 3339 time."]


def test_intake_refuses_people_and_tokens_without_the_scope(token_client, ops, verified_api_client):
    other, _ = token_client(scopes=["flags:read"])

    as_token = other.post("/v1/alerts/alertmanager", am_payload(am_alert()), format="json")
    as_person = verified_api_client(ops).post(
        "/v1/alerts/alertmanager", am_payload(am_alert()), format="json"
    )

    assert as_token.status_code == 403 and as_person.status_code == 403
    assert not AlertDelivery.objects.exists()


def test_stored_before_processing__answer_202_and_task_queued_after_commit(
    token_client, django_capture_on_commit_callbacks
):
    api, token = token_client(scopes=["alerts:write"])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = api.post("/v1/alerts/alertmanager", am_payload(am_alert()), format="json")

    delivery = AlertDelivery.objects.get()
    assert answer.status_code == 202 and answer.json()["delivery"] == delivery.pk
    assert delivery.processed_at is None and delivery.sender == token.service_account
    assert delivery.payload["alerts"][0]["labels"]["alertname"] == "IndexerLag"
    assert len(callbacks) == 1
    assert not AlertGroup.objects.exists()


def test_processing_twice_changes_nothing(intake, route):
    answer = intake(am_payload(am_alert()))
    from apps.incidents.services.alerts import delivery_process

    again = delivery_process(answer.json()["delivery"])

    assert again == "done"
    assert AlertDecision.objects.count() == 3 and Page.objects.count() == 1


def test_sweep_finds_deliveries_left_unprocessed(intake):
    from apps.incidents.services.alerts import deliveries_to_sweep

    answer = intake(am_payload(am_alert()), process=False)
    AlertDelivery.objects.update(received_at=T0)

    assert deliveries_to_sweep() == [answer.json()["delivery"]]


def test_plain_form__fingerprint_from_sorted_labels__dedupes(intake, route):
    body = {
        "alerts": [
            {
                "labels": {"service": "indexer", "alertname": "DiskFull"},
                "startsAt": "2026-12-01T10:00:00Z",
            }
        ]
    }
    same_labels_other_order = {
        "alerts": [
            {
                "labels": {"alertname": "DiskFull", "service": "indexer"},
                "startsAt": "2026-12-01T10:00:00.000000000Z",
            }
        ]
    }

    first = intake(body, path="/v1/alerts")
    second = intake(same_labels_other_order, path="/v1/alerts")

    assert first.status_code == second.status_code == 202
    assert AlertGroup.objects.count() == 1 and Alert.objects.count() == 1
    assert decisions_of(second) == [(0, "deduplicated")]
    group = AlertGroup.objects.get()
    assert group.flags == ["no runbook_url"]


def test_plain_form__unknown_field_and_bad_status__400(intake):
    answer = intake({"alerts": [{"labels": {"a": "b"}, "status": "up"}], "x": 1}, path="/v1/alerts")

    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) == {"x", "alerts[0].status"}
