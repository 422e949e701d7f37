"""Declaring an incident: numbering, the commander, the first timeline entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.utils import IntegrityError
from django.utils import timezone

from apps.accounts.roles import REVIEWER
from apps.incidents.models import (
    EntryKind,
    IncidentRole,
    Severity,
    TimelineEntry,
    TimelineImmutable,
)
from apps.incidents.services.incidents import can_run, incident_declare
from tests.factories import UserFactory
from tests.incidents.factories import commander, declare

pytestmark = pytest.mark.django_db


def test_numbers_follow_the_year_and_the_declarer_commands():
    person = commander()
    first = declare(actor=person)
    second = declare(actor=person, severity="S1")
    year = timezone.now().year
    assert first.number == f"INC-{year}-0001"
    assert second.number == f"INC-{year}-0002"
    assert first.owner == person
    holder = first.role_assignments.get(ended_at__isnull=True)
    assert (holder.role, holder.person) == (IncidentRole.COMMANDER, person)
    entry = first.timeline.get()
    assert entry.kind == EntryKind.DECLARED and entry.actor == person


def test_the_owner_may_run_it_and_a_reviewer_may_not_declare():
    ops_person = UserFactory(roles=["ops"])
    incident = declare(actor=ops_person)
    assert can_run(ops_person, incident)
    assert not can_run(UserFactory(roles=["ops"]), incident)
    with pytest.raises(PermissionDenied):
        incident_declare(
            actor=UserFactory(roles=[REVIEWER]),
            title="x",
            severity=Severity.objects.get(code="S3"),
        )


def test_start_may_precede_detection_but_not_follow_it():
    now = timezone.now()
    incident = declare(started_at=now - timedelta(hours=2), detected_at=now - timedelta(hours=1))
    assert incident.started_at < incident.detected_at
    with pytest.raises(ValidationError) as caught:
        declare(started_at=now, detected_at=now - timedelta(hours=1))
    assert "started_at" in caught.value.message_dict


def test_timeline_refuses_change_in_python():
    entry = declare().timeline.get()
    entry.body = "rewritten"
    with pytest.raises(TimelineImmutable):
        entry.save()
    with pytest.raises(TimelineImmutable):
        TimelineEntry.objects.filter(pk=entry.pk).update(body="x")
    with pytest.raises(TimelineImmutable):
        TimelineEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.postgres
def test_timeline_refuses_change_in_postgresql():
    entry = declare().timeline.get()
    with pytest.raises(IntegrityError, match="append-only"):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE incidents_timelineentry SET body = %s WHERE id = %s", ["x", entry.pk]
            )
