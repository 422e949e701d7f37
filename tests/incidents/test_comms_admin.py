"""The status updates back office: templates through the service, sent updates read-only."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEvent
from apps.incidents.services.comms import status_update_send
from tests.incidents.comms_helpers import declared, template
from tests.incidents.factories import commander

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user, verified_client):
    return verified_client(make_user("super_admin", is_staff=True, is_superuser=True))


def test_template__edited_through_the_service_placeholders_checked(admin_client):
    stored = template("update", "partners", "en")
    url = f"/admin/incidents/statustemplate/{stored.pk}/change/"
    assert admin_client.get(url).status_code == 200
    data = {"name": stored.name, "subject": stored.subject, "body": "{eta}", "is_active": "on"}
    refused = admin_client.post(url, data)
    assert refused.status_code == 200 and "{eta}" in refused.content.decode()
    stored.refresh_from_db()
    assert "{eta}" not in stored.body
    data["body"] = "Status: {status}. {message}"
    assert admin_client.post(url, data).status_code == 302
    stored.refresh_from_db()
    assert stored.body == "Status: {status}. {message}"
    assert AuditEvent.objects.filter(name="incident.status_template_updated").exists()
    delete = f"/admin/incidents/statustemplate/{stored.pk}/delete/"
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_sent_update__shown_but_never_changed(admin_client):
    person = commander()
    update = status_update_send(
        actor=person,
        incident=declared(actor=person),
        audience="internal",
        language="en",
        subject="s",
        body="b",
    )
    base = "/admin/incidents/statusupdate/"
    assert admin_client.get(base).status_code == 200
    detail = admin_client.get(f"{base}{update.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.post(f"{base}{update.pk}/delete/", {"post": "yes"}).status_code == 403
