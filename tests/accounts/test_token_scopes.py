"""Changing a token's scopes (page and API) and who made a service account: each change
is kept with the person who made it, audited, and refused with a clear error when bad."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as global_apps
from django.urls import reverse

from apps.accounts.models import ApiToken, ApiTokenScopeChange, User
from apps.accounts.services.tokens import service_account_create, token_create
from apps.audit.models import LogEntry
from tests.accounts.mfa_support import events
from tests.factories import ServiceAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(roles=["super_admin"])


@pytest.fixture
def token(admin):
    account = service_account_create(actor=admin, username="indexer")
    token, _plaintext = token_create(
        actor=admin, service_account=account, name="prod", scopes=["flags:read"]
    )
    return token


def test_service_account_create__page__creator_recorded_and_shown(admin, verified_client):
    client = verified_client(admin)

    response = client.post(
        reverse("service_accounts:create"), {"username": "tx-manager", "description": "tx"}
    )

    account = User.objects.get(username="tx-manager")
    assert response.status_code == 302
    assert account.created_by == admin
    page = client.get(reverse("service_accounts:detail", args=[account.pk])).content.decode()
    assert f"Created by {admin.username}" in page


def test_token_scopes__page__changed_recorded_and_audited(admin, token, verified_client):
    client = verified_client(admin)
    url = reverse("service_accounts:token_scopes", args=[token.pk])

    form = client.get(url)
    response = client.post(
        url, {"scopes": ["flags:read", "flags:write"], "reason": "re-enable payouts"}
    )

    assert form.status_code == 200
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.scopes == ["flags:read", "flags:write"]
    change = ApiTokenScopeChange.objects.get(token=token)
    assert (change.changed_by, change.scopes_before, change.scopes_after, change.reason) == (
        admin,
        ["flags:read"],
        ["flags:read", "flags:write"],
        "re-enable payouts",
    )
    event = events("token.scopes_changed", target_id=str(token.pk)).get()
    assert event.actor == admin
    assert event.data["scopes_after"] == ["flags:read", "flags:write"]
    assert LogEntry.objects.filter(
        content_type__model="apitoken", object_pk=str(token.pk), changes__has_key="scopes"
    ).exists()
    assert "re-enable payouts" in client.get(url).content.decode()


def test_token_scopes__api__changed_and_answered(admin, token, verified_api_client):
    response = verified_api_client(admin).post(
        f"/v1/tokens/{token.pk}/scopes",
        {"scopes": ["flags:write", "flags:read"], "reason": "payouts"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["scopes"] == ["flags:read", "flags:write"]
    assert ApiTokenScopeChange.objects.filter(token=token, changed_by=admin).count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"scopes": ["flags:read", "flags:write"], "reason": ""}, "reason"),
        ({"scopes": ["flags:read"], "reason": "same"}, "scopes"),
        ({"scopes": [], "reason": "none"}, "scopes"),
        ({"scopes": ["root"], "reason": "unknown"}, "scopes"),
    ],
)
def test_token_scopes__api_bad_input__field_error_and_nothing_changes(
    body, field, admin, token, verified_api_client
):
    response = verified_api_client(admin).post(f"/v1/tokens/{token.pk}/scopes", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    token.refresh_from_db()
    assert token.scopes == ["flags:read"]
    assert not ApiTokenScopeChange.objects.exists()


def test_token_scopes__revoked_token__refused(admin, token, verified_api_client):
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.created_at)

    response = verified_api_client(admin).post(
        f"/v1/tokens/{token.pk}/scopes",
        {"scopes": ["flags:read", "flags:write"], "reason": "late"},
        format="json",
    )

    assert response.status_code == 400
    assert "revoked" in response.json()["error"]["fields"]["scopes"][0]
    assert not ApiTokenScopeChange.objects.exists()


def test_token_scopes__ops_person__403_nothing_changes(token, verified_api_client):
    response = verified_api_client(UserFactory(roles=["ops"])).post(
        f"/v1/tokens/{token.pk}/scopes",
        {"scopes": ["flags:read", "flags:write"], "reason": "x"},
        format="json",
    )

    assert response.status_code == 403
    assert not ApiTokenScopeChange.objects.exists()


def test_migration_backfill__account_made_before__creator_taken_from_audit_event(admin):
    from apps.core.events import record_event

    account = ServiceAccountFactory()
    record_event("service_account.created", actor=admin, target=account, data={})
    migration = importlib.import_module(
        "apps.accounts.migrations.0004_service_account_created_by_token_scope_changes"
    )

    migration.backfill_service_account_creators(global_apps, None)

    account.refresh_from_db()
    assert account.created_by == admin
