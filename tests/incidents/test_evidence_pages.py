"""Evidence in the back office (read-only) and on the incident page (its panel)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory

from apps.accounts.roles import REVIEWER, SUPER_ADMIN
from apps.incidents.models import Evidence
from apps.incidents.panels import PANELS
from apps.incidents.services.evidence import evidence_attach_file
from tests.factories import UserFactory
from tests.incidents.evidence_fixtures import _evidence_in_tmp  # noqa: F401
from tests.incidents.factories import commander, declare

pytestmark = pytest.mark.django_db


def _attach(incident, actor, n=1):
    for index in range(n):
        evidence_attach_file(
            actor=actor,
            incident=incident,
            file=SimpleUploadedFile(f"log-{index}.txt", b"line %d\n" % index),
        )


def test_admin__list_and_view_only__add_change_delete_refused(verified_client):
    person = commander()
    incident = declare(actor=person)
    _attach(incident, person)
    evidence = Evidence.objects.get()
    staff = UserFactory(roles=[SUPER_ADMIN], is_staff=True, is_superuser=True)
    client = verified_client(staff)
    base = "/admin/incidents/evidence/"

    assert client.get(base).status_code == 200
    detail = client.get(f"{base}{evidence.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{evidence.pk}/change/", {"title": "x"}).status_code == 403
    assert client.post(f"{base}{evidence.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Evidence.objects.get(pk=evidence.pk).title == "log-0.txt"


@pytest.mark.parametrize("rows", [1, 30])
def test_panel__constant_queries_whatever_the_incident_holds(rows, django_assert_max_num_queries):
    person = commander()
    incident = declare(actor=person)
    _attach(incident, person, n=rows)
    request = RequestFactory().get("/")
    request.user = UserFactory(roles=[REVIEWER])
    [panel] = [p for p in PANELS if p.key == "evidence"]
    with django_assert_max_num_queries(6):
        context = panel.context(request, incident)
        rendered = render_to_string(
            panel.template, {**context, "incident": incident}, request=request
        )
    assert len(context["evidence_rows"]) == min(rows, 20)
    assert context["evidence_more"] is (rows > 20)
    assert not context["evidence_can_add"]
    assert f"log-{rows - 1}.txt" in rendered


def test_panel__shows_the_upload_form_to_whoever_runs_the_incident():
    person = commander()
    incident = declare(actor=person)
    request = RequestFactory().get("/")
    request.user = person
    [panel] = [p for p in PANELS if p.key == "evidence"]
    context = panel.context(request, incident)
    assert context["evidence_can_add"]
