"""Status update pages: post with a preview, the list, the panel, the templates."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import timezone

from apps.accounts.roles import FINANCE, INCIDENT_COMMANDER, OPS
from apps.incidents.models import EntryKind, Incident, StatusTemplate, StatusUpdate
from apps.incidents.services.comms import status_update_send
from apps.incidents.services.timeline import timeline_append
from apps.incidents.views.comms import panel
from tests.factories import UserFactory
from tests.incidents.comms_helpers import declared, email_channel, template
from tests.incidents.factories import commander

pytestmark = pytest.mark.django_db


@pytest.fixture
def ic():
    return commander(username="ic-comms")


def test_post_update__russian_from_the_page__sent_and_shown(ic, verified_client):
    client = verified_client(ic)
    incident = declared(actor=ic)
    channel = email_channel()
    stored = template("update", "public", "ru")
    url = f"/incidents/{incident.number}/updates/new/"
    assert client.get(url).status_code == 200
    form = {
        "template": stored.pk,
        "message": "Выплаты в Tron возобновлены, очередь разбирается.",
        "channels": [channel.name],
        "next_update_in_minutes": "45",
    }
    preview = client.post(f"/incidents/{incident.number}/updates/preview/", form)
    assert preview.status_code == 200
    assert "Выплаты в Tron возобновлены" in preview.content.decode()
    assert not StatusUpdate.objects.exists()
    response = client.post(url, form)
    assert response.status_code == 302
    update = StatusUpdate.objects.get()
    assert (update.audience, update.language) == ("public", "ru")
    assert "Следующий апдейт" in update.body
    listing = client.get(f"/incidents/{incident.number}/updates/")
    assert "Выплаты в Tron возобновлены" in listing.content.decode()


def test_post_update__unknown_placeholder__form_names_it_nothing_written(ic, verified_client):
    client = verified_client(ic)
    incident = declared(actor=ic)
    form = {"audience": "internal", "language": "en", "subject": "s", "body": "ETA {eta}"}
    preview = client.post(f"/incidents/{incident.number}/updates/preview/", form)
    assert "{eta}" in preview.content.decode()
    response = client.post(f"/incidents/{incident.number}/updates/new/", form)
    assert response.status_code == 400
    assert "{eta}" in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_post_update__someone_not_running_it__refused(verified_client):
    incident = declared()
    client = verified_client(UserFactory(roles=[FINANCE]))
    assert client.get(f"/incidents/{incident.number}/updates/new/").status_code == 403
    # Everyone sees what was sent.
    assert client.get(f"/incidents/{incident.number}/updates/").status_code == 200
    assert client.get("/incidents/INC-1999-0001/updates/").status_code == 404


def test_panel__late_badge_and_constant_queries(ic, django_assert_max_num_queries):
    incident = declared(actor=ic)
    Incident.objects.filter(pk=incident.pk).update(next_update_due_at=timezone.now())
    incident.refresh_from_db()
    request = RequestFactory().get("/")
    request.user = ic

    def run():
        context = panel(request, incident)
        assert context["comms_late"] is True and context["comms_may_send"] is True
        return context

    with django_assert_max_num_queries(12) as few:
        run()
    baseline = len(few.captured_queries)
    for index in range(8):
        status_update_send(
            actor=ic,
            incident=incident,
            audience="internal",
            language="en",
            subject=f"s{index}",
            body="b",
        )
    incident.refresh_from_db()
    Incident.objects.filter(pk=incident.pk).update(next_update_due_at=timezone.now())
    incident.refresh_from_db()
    with django_assert_max_num_queries(baseline):
        context = run()
    assert context["comms_count"] == 8 and len(context["comms_updates"]) == 5


def test_templates__commander_edits_ops_reads(ic, verified_client):
    stored = template("update", "public", "en")
    ops_client = verified_client(UserFactory(roles=[OPS]))
    assert ops_client.get("/incidents/templates/").status_code == 200
    assert ops_client.get(f"/incidents/templates/{stored.pk}/").status_code == 200
    refused = ops_client.post(f"/incidents/templates/{stored.pk}/", {"name": "x"})
    assert refused.status_code == 403
    client = verified_client(UserFactory(roles=[INCIDENT_COMMANDER]))
    data = {
        "name": stored.name,
        "subject": stored.subject,
        "body": "Status {status}; ETA {eta}",
        "is_active": "on",
    }
    bad = client.post(f"/incidents/templates/{stored.pk}/", data)
    assert bad.status_code == 400 and "{eta}" in bad.content.decode()
    data["body"] = "Status {status}. {message}"
    assert client.post(f"/incidents/templates/{stored.pk}/", data).status_code == 302
    stored.refresh_from_db()
    assert stored.body == "Status {status}. {message}"
    created = client.post(
        "/incidents/templates/new/",
        {
            "key": "payouts_paused",
            "name": "Payouts paused",
            "audience": "public",
            "language": "id",
            "subject": "{title}",
            "body": "Pembayaran dijeda. {message}",
            "is_active": "on",
        },
    )
    assert created.status_code == 302
    assert StatusTemplate.objects.filter(key="payouts_paused", language="id").exists()


def test_public_update_from_the_page__internal_note_refused(ic, verified_client):
    client = verified_client(ic)
    incident = declared(actor=ic)
    timeline_append(
        incident,
        EntryKind.NOTE,
        body="Suspect the partner Acme replayed old signatures",
        actor=ic,
        internal_only=True,
    )
    response = client.post(
        f"/incidents/{incident.number}/updates/new/",
        {
            "template": template("update", "public", "en").pk,
            "message": "We suspect the partner Acme replayed old signatures.",
        },
    )
    assert response.status_code == 400
    assert "internal-only" in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_panel__renders_updates_late_badge_and_form(ic):
    from django.template.loader import render_to_string

    incident = declared(actor=ic)
    status_update_send(
        actor=ic,
        incident=incident,
        audience="partners",
        language="ru",
        template=template("first_notice", "partners", "ru"),
    )
    Incident.objects.filter(pk=incident.pk).update(next_update_due_at=timezone.now())
    incident.refresh_from_db()
    request = RequestFactory().get(f"/incidents/{incident.number}/")
    request.user = ic
    html = render_to_string(
        "incidents/panels/comms.html", {"incident": incident, **panel(request, incident)}, request
    )
    assert "Уважаемые партнёры" in html
    assert "update late" in html
    assert f"/incidents/{incident.number}/updates/preview/" in html
    assert 'name="form_token"' in html


def test_incident_page__shows_the_status_updates_panel(ic, verified_client):
    incident = declared(actor=ic)
    status_update_send(
        actor=ic,
        incident=incident,
        audience="internal",
        language="en",
        template=template("first_notice", "internal", "en"),
    )
    html = verified_client(ic).get(f"/incidents/{incident.number}/").content.decode()
    assert 'id="comms"' in html
    assert f"/incidents/{incident.number}/updates/new/" in html
    assert "Commander:" in html
