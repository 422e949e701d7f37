"""Routes, maintenance windows, thresholds, incidents and the test alert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.accounts.roles import INCIDENT_COMMANDER
from apps.incidents.models import AlertGroup, EntryKind, Severity
from apps.incidents.models.alerts import matchers_match, parse_matcher
from apps.incidents.services import alerts_config
from apps.incidents.services.alerts import delivery_process
from apps.oncall.models import Page
from tests.factories import UserFactory
from tests.incidents import alerts_fixtures as fx
from tests.incidents.alerts_fixtures import am_alert, am_payload, decisions_of

intake, ops, paging_team, route = fx.intake, fx.ops, fx.paging_team, fx.route

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "labels", "expected"),
    [
        ('alertname="A"', {"alertname": "A"}, True),
        ('alertname!="A"', {"alertname": "A"}, False),
        ('severity=~"crit|page"', {"severity": "page"}, True),
        ('severity=~"crit"', {"severity": "critical"}, False),  # anchored
        ('severity!~"info.*"', {"severity": "warning"}, True),
        ('team=""', {}, True),  # a missing label is the empty string
    ],
)
def test_matchers__alertmanager_semantics(text, labels, expected):
    assert matchers_match([parse_matcher(text)], labels) is expected


def test_route_save__bad_regex_refused(ops, paging_team):
    with pytest.raises(ValidationError) as refused:
        alerts_config.route_save(actor=ops, name="x", matchers=['a=~"("'], team=paging_team["team"])
    assert "matchers" in refused.value.message_dict


def test_route_save__people_without_the_right_refused(paging_team):
    support = UserFactory(roles=["support"])
    with pytest.raises(Exception) as refused:
        alerts_config.route_save(actor=support, name="x", matchers=[], team=paging_team["team"])
    assert type(refused.value).__name__ == "PermissionDenied"


def test_routes_in_order__first_match_wins__continue_goes_on(intake, ops, paging_team):
    other = fx.oncall.team_create(actor=ops, name="Payments", slug="payments")
    alerts_config.route_save(
        actor=ops,
        name="critical",
        matchers=['severity="critical"'],
        team=paging_team["team"],
        continue_matching=True,
    )
    alerts_config.route_save(actor=ops, name="indexer", matchers=['service="indexer"'], team=other)
    alerts_config.route_save(actor=ops, name="catch-all", matchers=[], team=other)

    answer = intake(am_payload(am_alert(severity="critical")))

    group = AlertGroup.objects.get()
    assert group.route.name == "critical" and group.team == paging_team["team"]
    routed = [d.data.get("route") for d in group.decisions.filter(kind="routed")]
    assert len(routed) == 2  # critical (continue) and indexer; catch-all not reached
    assert [k for _, k in decisions_of(answer)].count("paged") == 1  # payments has no policy
    assert [k for _, k in decisions_of(answer)].count("page_failed") == 1


def test_no_route__recorded_and_flagged(intake):
    answer = intake(am_payload(am_alert(runbook=False)))

    group = AlertGroup.objects.get()
    assert decisions_of(answer) == [(0, "recorded"), (0, "no_route")]
    assert group.team is None and set(group.flags) == {"no owner team", "no runbook_url"}
    assert not Page.objects.exists()


def test_maintenance_window__silenced_not_paged(intake, ops, route):
    now = timezone.now()
    window = alerts_config.window_create(
        actor=ops,
        matchers=['service="indexer"'],
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
        reason="Indexer upgrade",
    )

    answer = intake(am_payload(am_alert()))

    assert decisions_of(answer) == [(0, "recorded"), (0, "routed"), (0, "silenced")]
    silenced = AlertGroup.objects.get().decisions.get(kind="silenced")
    assert silenced.data["window"] == window.pk and "Indexer upgrade" in silenced.reason
    assert AlertGroup.objects.get().silenced and not Page.objects.exists()

    alerts_config.window_end(actor=ops, window=window)
    later = intake(am_payload(am_alert(instance="other")))
    assert [k for _, k in decisions_of(later)] == ["recorded", "routed", "paged"]


def test_threshold__pages_on_the_nth_alert_in_the_window(intake, ops, paging_team):
    alerts_config.route_save(
        actor=ops,
        name="noisy",
        matchers=['service="indexer"'],
        team=paging_team["team"],
        threshold_count=3,
        threshold_minutes=10,
    )

    first = intake(am_payload(am_alert(instance="a"), am_alert(instance="b")))
    third = intake(am_payload(am_alert(instance="c")))

    below = [d for d in AlertGroup.objects.get(labels__instance="a").decisions.all()]
    assert [d.kind for d in below][-1] == "below_threshold"
    assert "1 of 3 alerts in 10 min" in below[-1].reason
    assert [k for _, k in decisions_of(first)].count("below_threshold") == 2
    assert [k for _, k in decisions_of(third)] == ["recorded", "routed", "paged"]
    assert Page.objects.count() == 1


def test_route_opens_incident_at_its_severity__timeline_entry(intake, ops, paging_team):
    owner = UserFactory(roles=[INCIDENT_COMMANDER], username="ic")
    alerts_config.route_save(
        actor=ops,
        name="funds",
        matchers=['service="indexer"'],
        team=paging_team["team"],
        open_incident_severity=Severity.objects.get(code="S1"),
        incident_owner=owner,
    )

    answer = intake(am_payload(am_alert()))
    again = intake(am_payload(am_alert(status="resolved", ends=fx.T0 + timedelta(minutes=3))))

    group = AlertGroup.objects.get()
    incident = group.incident
    assert incident.severity.code == "S1" and incident.owner == owner
    assert incident.team == paging_team["team"]
    assert [k for _, k in decisions_of(answer)] == [
        "recorded",
        "routed",
        "paged",
        "incident_opened",
    ]
    kinds = list(incident.timeline.values_list("kind", flat=True))
    assert kinds.count(EntryKind.ALERT) == 2  # fired, resolved
    assert decisions_of(again) == [(0, "resolved")]


def test_route_that_opens_incidents_names_an_owner(ops, paging_team):
    with pytest.raises(ValidationError) as refused:
        alerts_config.route_save(
            actor=ops,
            name="funds",
            matchers=[],
            team=paging_team["team"],
            open_incident_severity=Severity.objects.get(code="S1"),
        )
    assert "incident_owner" in refused.value.message_dict


def test_test_alert__end_to_end__page_marked_test(ops, route, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        delivery = alerts_config.route_test(actor=ops, route=route)
    delivery_process(delivery.pk)

    group = AlertGroup.objects.get()
    page = Page.objects.get()
    assert delivery.is_test and group.is_test and page.is_test
    assert page.subject == group and group.route == route
    assert page.title.startswith("[TEST]")


def test_acknowledged_page_acknowledges_its_group__resolution_still_resolves(intake, ops, route):
    from apps.oncall.services.pages import page_acknowledge

    intake(am_payload(am_alert()))
    group = AlertGroup.objects.get()
    page = Page.objects.get()
    assert group.state == AlertGroup.State.FIRING

    page_acknowledge(actor=page.team.members.order_by("pk").first(), page=page)
    group.refresh_from_db()
    assert group.state == AlertGroup.State.ACKNOWLEDGED

    intake(am_payload(am_alert()))  # the same group notified again
    group.refresh_from_db()
    assert group.state == AlertGroup.State.ACKNOWLEDGED
    intake(am_payload(am_alert(status="resolved", ends=fx.T0 + timedelta(minutes=3))))
    group.refresh_from_db()
    assert group.state == AlertGroup.State.RESOLVED


def test_incident_page_lists_the_attached_alert_groups(intake, ops, paging_team, verified_client):
    owner = UserFactory(roles=[INCIDENT_COMMANDER], username="ic2")
    alerts_config.route_save(
        actor=ops,
        name="funds",
        matchers=['service="indexer"'],
        team=paging_team["team"],
        open_incident_severity=Severity.objects.get(code="S2"),
        incident_owner=owner,
    )
    intake(am_payload(am_alert()))
    incident = AlertGroup.objects.get().incident

    content = verified_client(owner).get(f"/incidents/{incident.number}/").content.decode()

    assert 'id="alerts"' in content
    assert "1 alert group attached." in content
    assert f"/incidents/alerts/groups/{AlertGroup.objects.get().pk}/" in content
