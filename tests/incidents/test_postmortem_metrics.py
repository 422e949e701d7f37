"""Incident metrics on known data: MTTA, time to mitigate, MTTR per severity and month,
post-mortems overdue; the page and /metrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from apps.incidents.models import Incident, PostMortem
from apps.incidents.selectors.postmortems import incident_metrics, postmortems_overdue_count
from tests.factories import UserFactory
from tests.incidents.factories import commander, declare
from tests.incidents.postmortem_helpers import resolved

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _timed(severity, *, declared, started_before, ack, mitigated=None, resolved_after=None):
    """An incident with its times set (minutes after declaration; started before it)."""
    incident = declare(severity=severity)
    Incident.objects.filter(pk=incident.pk).update(
        declared_at=declared,
        started_at=declared - timedelta(minutes=started_before),
        detected_at=declared,
        acknowledged_at=declared + timedelta(minutes=ack) if ack is not None else None,
        mitigated_at=declared + timedelta(minutes=mitigated) if mitigated is not None else None,
        resolved_at=declared + timedelta(minutes=resolved_after)
        if resolved_after is not None
        else None,
    )
    return incident


@pytest.fixture
def known():
    # March, S1: MTTA (5 + 15) / 2 = 10 min; mitigate (10+30, 20+60) / 2 = 60 min;
    # MTTR (10+120, 20+180) / 2 = 165 min.
    _timed("S1", declared=MARCH, started_before=10, ack=5, mitigated=30, resolved_after=120)
    _timed(
        "S1",
        declared=MARCH + timedelta(days=3),
        started_before=20,
        ack=15,
        mitigated=60,
        resolved_after=180,
    )
    # March, S2 not yet mitigated: counted, no mitigation mean.
    _timed("S2", declared=MARCH + timedelta(days=1), started_before=0, ack=2)
    # April, S1.
    _timed(
        "S1",
        declared=MARCH + timedelta(days=30),
        started_before=0,
        ack=1,
        mitigated=4,
        resolved_after=9,
    )


def test_metrics__per_severity_and_month__means_in_the_database(
    known, django_assert_max_num_queries
):
    viewer = UserFactory(roles=["reviewer"])
    # The caller's permissions (2 queries) and one aggregate, whatever the incidents.
    with django_assert_max_num_queries(3):
        rows = incident_metrics(user=viewer, since=MARCH - timedelta(days=1))
    table = {(row["month"].strftime("%Y-%m"), row["severity"]): row for row in rows}

    assert list(table) == [("2026-04", "S1"), ("2026-03", "S1"), ("2026-03", "S2")]
    march_s1 = table[("2026-03", "S1")]
    assert march_s1["incidents"] == 2
    assert march_s1["mtta"] == timedelta(minutes=10)
    assert march_s1["time_to_mitigate"] == timedelta(minutes=60)
    assert march_s1["mttr"] == timedelta(minutes=165)
    march_s2 = table[("2026-03", "S2")]
    assert (march_s2["incidents"], march_s2["acknowledged"], march_s2["mitigated"]) == (1, 1, 0)
    assert march_s2["mtta"] == timedelta(minutes=2)
    assert march_s2["time_to_mitigate"] is None and march_s2["mttr"] is None
    assert table[("2026-04", "S1")]["mttr"] == timedelta(minutes=9)


def test_postmortems_overdue_count():
    late = resolved(severity="S1")
    resolved(severity="S2")  # due in 48 h
    PostMortem.objects.filter(incident=late).update(due_at=late.resolved_at - timedelta(minutes=1))
    assert postmortems_overdue_count(user=UserFactory(roles=["reviewer"])) == 1


def test_metrics_page__shows_the_figures(known, verified_client, django_assert_max_num_queries):
    client = verified_client(commander())
    with django_assert_max_num_queries(25):
        response = client.get("/incidents/metrics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-month="2026-03" data-severity="S1"' in html
    assert "2 h 45 min" in html  # March S1 MTTR
    assert 'id="postmortems-overdue"' in html


def test_prometheus__incident_gauges(client):
    incident = resolved(severity="S1")
    PostMortem.objects.filter(incident=incident).update(
        due_at=incident.resolved_at - timedelta(minutes=1)
    )
    families = {
        family.name: family
        for family in text_string_to_metric_families(client.get("/metrics").content.decode())
    }
    overdue = families["opsportal_incident_postmortems_overdue"].samples[0].value
    assert overdue == 1
    declared = {
        sample.labels["severity"]: sample.value
        for sample in families["opsportal_incidents_declared_30d"].samples
    }
    assert declared == {"S1": 1}
    assert "opsportal_incident_mttr_seconds" in families
