"""The incident page keeps a constant number of queries with every part's content: one of
each (timeline entries of every kind, status updates, held switches, evidence, attached
alert groups with their alerts) costs as many queries as many of each.

The timing of the page at 1,000 entries and 10,000 alerts is a benchmark
(``bench/incident_page.py``), not a test.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.incidents.migrations._comms_seed_0002 import TEMPLATES
from apps.incidents.models import (
    Alert,
    AlertDelivery,
    AlertGroup,
    EntryKind,
    StatusTemplate,
    TimelineEntry,
)
from apps.incidents.services.comms import status_update_send
from apps.incidents.services.evidence import evidence_snapshot_rows
from tests.incidents.factories import commander, declare
from tests.incidents.mitigation_helpers import block_for

pytestmark = pytest.mark.django_db


class _Content:
    """Adds content of every part to one incident, a batch at a time."""

    def __init__(self, incident, actor):
        self.incident, self.actor = incident, actor
        self.batches = 0
        name, subject, body = TEMPLATES[("update", "internal", "en")]
        self.template, _created = StatusTemplate.objects.get_or_create(
            key="update",
            audience="internal",
            language="en",
            defaults={"name": name, "subject": subject, "body": body},
        )
        self.delivery = AlertDelivery.objects.create(
            source=AlertDelivery.Source.ALERTMANAGER,
            payload={"version": "4", "alerts": []},
            status="firing",
            processed_at=timezone.now(),
        )

    def add(
        self, *, entries: int, updates: int, switches: int, evidence: int, groups: int, alerts: int
    ):
        batch, self.batches = self.batches, self.batches + 1
        kinds = list(EntryKind.values)
        start = timezone.now() - timedelta(hours=6)
        TimelineEntry.objects.bulk_create(
            TimelineEntry(
                incident=self.incident,
                kind=kinds[n % len(kinds)],
                body=f"Entry {batch}-{n}",
                data={"n": n},
                pinned=n % 10 == 0,
                internal_only=n % 7 == 0,
                actor=self.actor if n % 3 else None,
                occurred_at=start + timedelta(seconds=n),
            )
            for n in range(entries)
        )
        for n in range(updates):
            status_update_send(
                actor=self.actor,
                incident=self.incident,
                audience="internal",
                language="en",
                template=self.template,
                message=f"Update {batch}-{n}",
            )
        for n in range(switches):
            block_for(self.incident, self.actor, scope_value=f"chain{batch}x{n}")
        for n in range(evidence):
            evidence_snapshot_rows(
                actor=self.actor,
                incident=self.incident,
                queryset_or_objects=[self.incident],
                title=f"Incident row {batch}-{n}",
            )
        now = timezone.now()
        AlertGroup.objects.bulk_create(
            AlertGroup(
                fingerprint=f"budget-{batch}-{g}",
                alertname=f"Budget{g}",
                labels={"alertname": f"Budget{g}"},
                starts_at=now,
                incident=self.incident,
            )
            for g in range(groups)
        )
        made = list(AlertGroup.objects.filter(fingerprint__startswith=f"budget-{batch}-"))
        Alert.objects.bulk_create(
            Alert(
                group=made[n % len(made)],
                fingerprint=made[n % len(made)].fingerprint,
                status="firing",
                starts_at=now - timedelta(seconds=n),
                delivery=self.delivery,
            )
            for n in range(alerts)
        )


def test_incident_page__same_queries_with_one_or_many_of_everything(
    verified_client, django_assert_max_num_queries
):
    ic = commander()
    incident = declare(actor=ic, customer_impact="Tron withdrawals are delayed.")
    content = _Content(incident, ic)
    content.add(
        entries=len(EntryKind.values), updates=1, switches=1, evidence=1, groups=1, alerts=1
    )
    client = verified_client(ic)
    url = reverse("incidents:detail", args=[incident.number])
    client.get(url)
    with django_assert_max_num_queries(80) as one:
        client.get(url)
    budget = len(one.captured_queries)

    content.add(entries=300, updates=8, switches=4, evidence=6, groups=40, alerts=400)
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    # Every panel shows the new content (so the budget covers rendering it).
    for shown in ("Entry 1-", "Update 1-7", "chain1x3", "Incident row 1-5", "Budget39"):
        assert shown in page, shown
    assert incident.timeline.count() > 300
    assert Alert.objects.filter(group__incident=incident).count() == 401
