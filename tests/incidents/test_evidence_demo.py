"""The evidence demo step: a log and a snapshot on the resolved S1, once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.core.demo import DemoContext
from apps.incidents.demo_evidence import evidence_demo
from apps.incidents.models import Evidence, EvidenceKind, Incident, Status
from tests.incidents.evidence_fixtures import _evidence_in_tmp  # noqa: F401
from tests.incidents.factories import commander, declare

pytestmark = pytest.mark.django_db


def test_demo__resolved_s1__log_and_snapshot_attached_once():
    person = commander(username="commander")
    declare(actor=person, severity="S2")
    s1 = declare(actor=person, severity="S1")
    Incident.objects.filter(pk=s1.pk).update(status=Status.RESOLVED, resolved_at=timezone.now())
    said: list[str] = []
    ctx = DemoContext(say=said.append, users={"commander": person})

    evidence_demo(ctx)
    evidence_demo(ctx)

    kinds = sorted(Evidence.objects.filter(incident=s1).values_list("kind", flat=True))
    assert kinds == [EvidenceKind.FILE, EvidenceKind.SNAPSHOT]
    log = Evidence.objects.get(incident=s1, kind=EvidenceKind.FILE)
    assert log.content_type == "text/plain"
    assert s1.number in said[0]


def test_demo__no_resolved_s1__nothing_attached():
    declare(severity="S1")
    said: list[str] = []
    evidence_demo(DemoContext(say=said.append))
    assert not Evidence.objects.exists()
    assert said
