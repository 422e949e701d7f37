"""The admin shows the audit trail read-only: no add, change or delete, for anyone."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from apps.audit.admin import ReadOnlyAuditAdmin
from apps.audit.models import AccessLogEntry, AuditEvent, LogEntry

pytestmark = pytest.mark.django_db

MODELS = [LogEntry, AuditEvent, AccessLogEntry]


@pytest.fixture
def staff_client(make_user, verified_client):
    user = make_user("super_admin", is_staff=True, is_superuser=True)
    return verified_client(user), user


def test_admin_registry__audit_models__use_the_read_only_admin():
    for model in MODELS:
        assert isinstance(admin.site._registry[model], ReadOnlyAuditAdmin)


@pytest.mark.parametrize("model", MODELS)
def test_admin_permissions__even_a_superuser__no_add_change_delete(staff_client, model):
    _client, user = staff_client
    request = RequestFactory().get("/admin/")
    request.user = user
    model_admin = admin.site._registry[model]

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.mark.parametrize("model", MODELS)
def test_admin_pages__list_and_detail_shown__add_change_delete_refused(
    staff_client, model, write_event, write_access
):
    client, user = staff_client
    write_event("test.admin", target=user)
    write_access(user)
    row = model.objects.order_by("-id").first()
    base = f"/admin/audit/{model._meta.model_name}/"

    assert client.get(base).status_code == 200
    detail = client.get(f"{base}{row.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{row.pk}/change/", {"request_id": "x"}).status_code == 403
    assert client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = client.post(
        base, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302, 403)
    assert model.objects.filter(pk=row.pk).exists()
    assert model.objects.get(pk=row.pk).request_id != "x"
