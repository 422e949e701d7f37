"""Incidents for tests, declared through the service as a person would."""

from __future__ import annotations

from apps.accounts.roles import INCIDENT_COMMANDER
from apps.incidents.models import Incident, Severity
from apps.incidents.services.incidents import incident_declare
from tests.factories import UserFactory


def commander(**kwargs):
    return UserFactory(roles=[INCIDENT_COMMANDER], **kwargs)


def declare(
    *, actor=None, severity: str = "S2", title: str = "Withdrawals failing", **kwargs
) -> Incident:
    actor = actor or commander()
    return incident_declare(
        actor=actor, title=title, severity=Severity.objects.get(code=severity), **kwargs
    )
