"""Canned replies in the admin: leads edit through the services; unknown placeholders refused."""

from __future__ import annotations

from apps.audit.models import AuditEvent
from apps.support.models import CannedReply


def test_admin__super_admin_edits_reply__saved_through_service(verified_client, make_user):
    admin = make_user("super_admin", is_staff=True)
    client = verified_client(admin)
    reply = CannedReply.objects.get(key="cannot_post", language="en")

    response = client.post(
        f"/admin/support/cannedreply/{reply.pk}/change/",
        {"title": "Posting", "body": "Hi {handle}, checking.", "is_active": "on"},
    )

    assert response.status_code == 302, response.content[:500]
    reply.refresh_from_db()
    assert (reply.body, reply.updated_by_id) == ("Hi {handle}, checking.", admin.pk)
    assert AuditEvent.objects.filter(name="support.reply_updated").exists()


def test_admin__unknown_placeholder__form_error_nothing_saved(verified_client, make_user):
    client = verified_client(make_user("super_admin", is_staff=True))
    reply = CannedReply.objects.get(key="cannot_post", language="en")
    before = reply.body

    response = client.post(
        f"/admin/support/cannedreply/{reply.pk}/change/",
        {"title": "Posting", "body": "Hi {nickname}", "is_active": "on"},
    )

    assert response.status_code == 200
    assert "nickname" in response.content.decode()
    reply.refresh_from_db()
    assert reply.body == before
