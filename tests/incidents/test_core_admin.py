"""The incidents back office: severity levels through the service, incidents read-mostly,
roles and the timeline read-only."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEvent
from apps.incidents.models import EntryKind, Severity
from tests.incidents.factories import declare

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user, verified_client):
    user = make_user("super_admin", is_staff=True, is_superuser=True)
    return verified_client(user)


def test_timeline_and_roles__shown_but_never_added_changed_or_deleted(admin_client):
    incident = declare()
    entry = incident.timeline.get()
    role = incident.role_assignments.get()
    for base, pk in (
        ("/admin/incidents/timelineentry/", entry.pk),
        ("/admin/incidents/roleassignment/", role.pk),
    ):
        assert admin_client.get(base).status_code == 200
        detail = admin_client.get(f"{base}{pk}/change/")
        assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
        assert admin_client.get(f"{base}add/").status_code == 403
        assert admin_client.post(f"{base}{pk}/delete/", {"post": "yes"}).status_code == 403


def test_incident__title_edited_through_the_service_no_add_no_delete(admin_client):
    incident = declare(title="Old title")
    base = "/admin/incidents/incident/"
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.post(f"{base}{incident.pk}/delete/", {"post": "yes"}).status_code == 403
    response = admin_client.post(
        f"{base}{incident.pk}/change/",
        {
            "title": "New title",
            "summary": "",
            "customer_impact": "",
            "role_assignments-TOTAL_FORMS": "1",
            "role_assignments-INITIAL_FORMS": "1",
            "role_assignments-MIN_NUM_FORMS": "0",
            "role_assignments-MAX_NUM_FORMS": "1000",
            "role_assignments-0-id": incident.role_assignments.get().pk,
            "role_assignments-0-incident": incident.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    incident.refresh_from_db()
    assert incident.title == "New title"
    assert incident.timeline.filter(kind=EntryKind.EDIT).exists()


def test_severity__saved_through_the_service_and_audited(admin_client):
    s3 = Severity.objects.get(code="S3")
    response = admin_client.post(
        f"/admin/incidents/severity/{s3.pk}/change/",
        {
            "code": "S3",
            "name": "Minor",
            "description": "",
            "rank": 3,
            "postmortem_due_hours": 24,
            "update_interval_minutes": 120,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    s3.refresh_from_db()
    assert s3.postmortem_due_hours == 24
    assert AuditEvent.objects.filter(name="incident.severity_level_changed").exists()
    assert admin_client.post(f"/admin/incidents/severity/{s3.pk}/delete/").status_code == 403
