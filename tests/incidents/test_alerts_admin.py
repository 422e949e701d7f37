"""The alert intake's back office shows every record and changes none."""

from __future__ import annotations

import pytest

from apps.accounts.roles import SUPER_ADMIN
from apps.incidents.models import AlertDecision, AlertDelivery, AlertGroup
from tests.factories import UserFactory
from tests.incidents import alerts_fixtures as fx
from tests.incidents.alerts_fixtures import am_alert, am_payload

intake, ops, paging_team, route = fx.intake, fx.ops, fx.paging_team, fx.route

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, verified_client):
    person = UserFactory(roles=[SUPER_ADMIN], is_staff=True)
    return verified_client(person)


def test_admin__alert_records_listed_and_read_only(intake, route, admin_client):
    intake(am_payload(am_alert()))
    group = AlertGroup.objects.get()
    delivery = AlertDelivery.objects.get()
    for model in ("alertdelivery", "alertgroup", "alert", "alertdecision", "alertroute"):
        assert admin_client.get(f"/admin/incidents/{model}/").status_code == 200
    page = admin_client.get(f"/admin/incidents/alertgroup/{group.pk}/change/")
    assert page.status_code == 200
    assert group.fingerprint in page.content.decode()
    assert admin_client.get("/admin/incidents/alertgroup/add/").status_code == 403
    answer = admin_client.post(
        f"/admin/incidents/alertdelivery/{delivery.pk}/delete/", {"post": "yes"}
    )
    assert answer.status_code == 403
    assert AlertDelivery.objects.filter(pk=delivery.pk).exists()
    assert AlertDecision.objects.filter(delivery=delivery).exists()
