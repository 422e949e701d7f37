"""Post-mortem pages: the editor (read-only when published), action items, the panel."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import RequestFactory

from apps.audit.models import AuditEvent
from apps.incidents.models import ActionItem, ActionItemStatus, PostMortem, PostMortemState
from apps.incidents.services import postmortems as services
from apps.incidents.views.postmortems import panel
from tests.factories import UserFactory
from tests.incidents.postmortem_helpers import SECTIONS, published, resolved

pytestmark = pytest.mark.django_db


def _url(incident, suffix=""):
    return f"/incidents/{incident.number}/postmortem{suffix}"


def test_editor__resolved_s1__says_it_cannot_close_and_saves_sections(verified_client):
    incident = resolved(severity="S1")
    client = verified_client(incident.owner)

    page = client.get(_url(incident))
    assert page.status_code == 200
    html = page.content.decode()
    assert "The post-mortem must be published before this S1 incident can close" in html
    assert 'name="root_cause"' in html

    response = client.post(_url(incident), {"owner": incident.owner.pk, **SECTIONS})
    assert response.status_code == 302
    postmortem = PostMortem.objects.get(incident=incident)
    assert postmortem.root_cause == SECTIONS["root_cause"]
    assert AuditEvent.objects.filter(name="incident.postmortem_edited").exists()


def test_editor__submit_publish__then_read_only(verified_client):
    incident = resolved(severity="S2")
    client = verified_client(incident.owner)
    client.post(_url(incident), {"owner": incident.owner.pk, **SECTIONS})

    client.post(_url(incident, "/state"), {"action": "submit"})
    assert PostMortem.objects.get(incident=incident).state == PostMortemState.IN_REVIEW
    client.post(_url(incident, "/state"), {"action": "publish"})
    assert PostMortem.objects.get(incident=incident).state == PostMortemState.PUBLISHED

    html = client.get(_url(incident)).content.decode()
    assert "this post-mortem is read-only" in html
    assert 'name="root_cause"' not in html
    assert "The post-mortem must be published" not in html
    response = client.post(_url(incident), {"owner": incident.owner.pk, "summary": "rewrite"})
    assert response.status_code == 400
    assert PostMortem.objects.get(incident=incident).summary == SECTIONS["summary"]


def test_editor__submit_with_empty_sections__names_them(verified_client):
    incident = resolved()
    client = verified_client(incident.owner)
    response = client.post(_url(incident, "/state"), {"action": "submit"}, follow=True)
    assert "Write this section before submitting for review." in response.content.decode()
    assert PostMortem.objects.get(incident=incident).state == PostMortemState.DRAFT


def test_editor__s3_started_by_hand(verified_client):
    incident = resolved(severity="S3")
    client = verified_client(incident.owner)
    assert "Start the post-mortem from the template" in client.get(_url(incident)).content.decode()
    client.post(_url(incident))
    assert PostMortem.objects.filter(incident=incident).exists()


def test_editor__another_ops_person_reads_but_may_not_write(verified_client):
    incident = resolved()
    client = verified_client(UserFactory(roles=["ops"]))
    html = client.get(_url(incident)).content.decode()
    assert 'name="root_cause"' not in html
    assert client.post(_url(incident), {"summary": "x"}).status_code == 403


def test_action_items__add_bad_link_then_good__edit_by_owner(verified_client):
    incident = resolved()
    client = verified_client(incident.owner)
    base = {
        "title": "Alert before credentials expire",
        "owner": incident.owner.pk,
        "due_date": (date.today() + timedelta(days=7)).isoformat(),
        "status": "open",
    }
    bad = client.post(_url(incident, "/action-items"), {**base, "link": "ftp://x.example"})
    assert bad.status_code == 400
    assert "Enter an http:// or https:// address." in bad.content.decode()
    assert not ActionItem.objects.exists()
    client.post(_url(incident, "/action-items"), {**base, "link": "https://t.example/OPS-9"})
    item = ActionItem.objects.get()

    doer_client = verified_client(incident.owner)
    response = doer_client.post(
        f"/incidents/action-items/{item.pk}/",
        {**base, "status": "done", "link": item.link},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ActionItemStatus.DONE


def test_action_item_list__filters(verified_client):
    incident = resolved()
    me = UserFactory(roles=["ops"])
    for title, owner, due in (
        ("mine overdue", me, date.today() - timedelta(days=2)),
        ("mine later", me, date.today() + timedelta(days=2)),
        ("theirs overdue", incident.owner, date.today() - timedelta(days=1)),
    ):
        services.action_item_create(
            actor=incident.owner,
            postmortem=incident.postmortem,
            title=title,
            owner=owner,
            due_date=due,
        )
    client = verified_client(me)

    def titles(query):
        html = client.get("/incidents/action-items/" + query).content.decode()
        return {t for t in ("mine overdue", "mine later", "theirs overdue") if t in html}

    assert titles("") == {"mine overdue", "mine later", "theirs overdue"}
    assert titles("?mine=on") == {"mine overdue", "mine later"}
    assert titles("?overdue=on") == {"mine overdue", "theirs overdue"}
    assert titles("?mine=on&overdue=on") == {"mine overdue"}


def test_panel__constant_queries__overdue_badge(django_assert_max_num_queries):
    incident = resolved()
    PostMortem.objects.filter(incident=incident).update(
        due_at=incident.resolved_at - timedelta(hours=1)
    )
    request = RequestFactory().get("/")
    request.user = UserFactory(roles=["reviewer"])
    with django_assert_max_num_queries(4):
        context = panel(request, incident)
    assert context["postmortem_overdue"] is True
    assert context["postmortem_blockers"]
    published(incident)
    context = panel(request, incident)
    assert context["postmortem"].state == PostMortemState.PUBLISHED
    assert context["postmortem_blockers"] == []


def test_incident_page__close_refused_with_the_reason__panel_shown(verified_client):
    incident = resolved(severity="S1")
    client = verified_client(incident.owner)
    detail = client.get(f"/incidents/{incident.number}/").content.decode()
    assert 'id="panel-postmortem"' in detail and 'id="postmortem"' in detail
    assert "The post-mortem must be published before this S1 incident can close" in detail

    response = client.post(
        f"/incidents/{incident.number}/status", {"status-status": "closed", "status-reason": ""}
    )
    assert response.status_code == 400
    assert "The post-mortem must be published before this S1 incident can close" in (
        response.content.decode()
    )
    incident.refresh_from_db()
    assert incident.status == "resolved"


def test_editor_and_list__queries_do_not_grow_with_action_items(verified_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    incident = resolved()
    client = verified_client(incident.owner)

    def add(n):
        for i in range(n):
            services.action_item_create(
                actor=incident.owner,
                postmortem=incident.postmortem,
                title=f"Item {i}",
                owner=UserFactory(roles=["ops"]),
                due_date=date.today() - timedelta(days=i),
            )

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(1)
    one = (count(_url(incident)), count("/incidents/action-items/"))
    add(6)
    seven = (count(_url(incident)), count("/incidents/action-items/"))
    assert seven == one
