"""Every door writes audit rows naming the actor and the request id.

The Celery door is covered with a real worker in tests/core/test_celery_context.py.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from apps.accounts.models import User
from apps.audit.models import AccessLogEntry, LogEntry
from apps.notify.models import Channel
from tests.factories import UserFactory
from tests.seedconfig.conftest import applied, approve, load_seed, people  # noqa: F401

pytestmark = pytest.mark.django_db


def _changes_of(instance):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_pk=str(instance.pk),
    )


def test_page_door__preferences_saved__change_row_has_actor_and_request_id(verified_client):
    person = UserFactory(roles=["support"])
    client = verified_client(person)

    response = client.post(
        reverse("accounts:profile"),
        {"timezone": "Asia/Jakarta", "language": "en"},
        HTTP_X_REQUEST_ID="page-door-1",
    )

    assert response.status_code in (200, 302)
    assert response["X-Request-ID"] == "page-door-1"
    person.refresh_from_db()
    assert person.timezone == "Asia/Jakarta"
    row = _changes_of(person).filter(action=LogEntry.Action.UPDATE).latest("id")
    assert row.actor == person
    assert row.cid == "page-door-1"
    assert row.request_id == "page-door-1"


def test_api_door__session_creates_channel__change_row_has_actor_and_request_id(
    verified_api_client,
):
    ops = UserFactory(roles=["ops"])
    api = verified_api_client(ops)

    response = api.post(
        "/v1/notify/channels/",
        {"name": "ops-email", "kind": "email", "config": {"recipients": ["ops@example.test"]}},
        format="json",
        HTTP_X_REQUEST_ID="api-door-1",
    )

    assert response.status_code == 201, response.content
    channel = Channel.objects.get(name="ops-email")
    row = _changes_of(channel).get(action=LogEntry.Action.CREATE)
    assert row.actor == ops
    assert row.request_id == "api-door-1"


def test_api_door__token_reads_secrets__access_row_names_service_account_and_request_id(
    token_client,
    applied,  # noqa: F811  (the seedconfig fixture imported above)
):
    applied(load_seed())
    api, token = token_client(scopes=["config:read", "config:secrets"])

    response = api.get("/v1/config/networks?include_secrets=1", HTTP_X_REQUEST_ID="token-door-1")

    assert response.status_code == 200, response.content
    row = AccessLogEntry.objects.latest("id")
    assert row.actor == token.service_account
    assert row.request_id == "token-door-1"


def test_admin_door__role_changed__change_row_has_actor_and_request_id(verified_client):
    admin = UserFactory(roles=["super_admin"], is_staff=True)
    person = UserFactory(roles=["support"])
    ops = Group.objects.get(name="ops")
    url = reverse("admin:accounts_user_change", args=[person.pk])

    response = verified_client(admin).post(
        url, {"groups": [ops.pk]}, HTTP_X_REQUEST_ID="admin-door-1"
    )

    assert response.status_code == 302
    rows = _changes_of(User.objects.get(pk=person.pk)).filter(actor=admin)
    assert rows.exists()
    assert {row.request_id for row in rows} == {"admin-door-1"}
