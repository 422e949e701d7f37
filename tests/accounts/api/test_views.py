"""The accounts API: /v1/me, service accounts and tokens, through the API client."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.accounts.models import ApiToken, User
from apps.accounts.roles import FINANCE, OPS, SUPER_ADMIN
from apps.audit.models import AuditEvent
from tests.factories import ServiceAccountFactory, make_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user(SUPER_ADMIN)


@pytest.fixture
def admin_api(admin, verified_api_client):
    return verified_api_client(admin)


# --- /v1/me -------------------------------------------------------------------------------


def test_me__verified_person__username_roles_language_timezone(make_user, verified_api_client):
    person = make_user(OPS, FINANCE, language="id", timezone="Asia/Jakarta")

    body = verified_api_client(person).get("/v1/me").json()

    assert body == {
        "kind": "person",
        "username": person.username,
        "roles": [FINANCE, OPS],
        "language": "id",
        "timezone": "Asia/Jakarta",
        "token": None,
    }


def test_me__unverified_session__403_mfa_required(make_user, client):
    person = make_user(SUPER_ADMIN)
    client.force_login(person, backend="apps.accounts.backends.HumanModelBackend")

    response = client.get("/v1/me")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


# --- service accounts ---------------------------------------------------------------------


def test_service_accounts__create__201_and_listed(admin_api, admin):
    response = admin_api.post(
        "/v1/service-accounts/", {"username": "indexer", "description": "chain"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "indexer"
    assert body["is_active"] is True
    account = User.objects.get(pk=body["id"])
    assert account.is_service_account and not account.has_usable_password()
    assert AuditEvent.objects.get(name="service_account.created").actor == admin

    listed = admin_api.get("/v1/service-accounts/").json()
    assert [row["username"] for row in listed["results"]] == ["indexer"]
    assert listed["results"][0]["active_token_count"] == 0


def test_service_accounts__list__people_are_not_listed(admin_api, make_user):
    make_user(OPS)
    ServiceAccountFactory(username="svc-a")

    body = admin_api.get("/v1/service-accounts/").json()

    assert [row["username"] for row in body["results"]] == ["svc-a"]


@pytest.mark.parametrize("role", [OPS, FINANCE])
def test_service_accounts__other_role__403_nothing_created(make_user, verified_api_client, role):
    client = verified_api_client(make_user(role))

    assert client.get("/v1/service-accounts/").status_code == 403
    response = client.post("/v1/service-accounts/", {"username": "x"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not User.objects.filter(username="x").exists()


# --- tokens -----------------------------------------------------------------------------------


def test_token_create__201_with_secret_once_no_store(admin_api):
    account = ServiceAccountFactory()
    expires = (timezone.now() + timezone.timedelta(days=30)).isoformat()

    response = admin_api.post(
        f"/v1/service-accounts/{account.pk}/tokens/",
        {
            "name": "ci",
            "scopes": ["flags:read", "config:read"],
            "expires_at": expires,
            "allowed_ips": ["192.0.2.0/24"],
        },
        format="json",
    )

    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    token = ApiToken.objects.get(pk=body["id"])
    assert body["token"].startswith(f"ops_{token.prefix}_")
    assert "token_hash" not in body
    assert token.scopes == ["flags:read", "config:read"]
    assert token.allowed_ips == ["192.0.2.0/24"]

    listed = admin_api.get(f"/v1/service-accounts/{account.pk}/tokens/").json()
    assert listed["count"] == 1
    assert "token" not in listed["results"][0]
    assert "token_hash" not in listed["results"][0]
    assert body["token"] not in str(listed)


def test_token_create__secret_works_as_a_bearer_token(admin_api, api_client):
    account = ServiceAccountFactory()
    plaintext = admin_api.post(
        f"/v1/service-accounts/{account.pk}/tokens/",
        {"name": "ci", "scopes": ["alerts:write"]},
        format="json",
    ).json()["token"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    body = api_client.get("/v1/me").json()

    assert body["username"] == account.username
    assert body["token"]["scopes"] == ["alerts:write"]


def test_token_create__bad_fields__400_each_field(admin_api):
    account = ServiceAccountFactory()
    far = (timezone.now() + timezone.timedelta(days=400)).isoformat()

    response = admin_api.post(
        f"/v1/service-accounts/{account.pk}/tokens/",
        {"name": "", "scopes": ["nope"], "expires_at": far, "allowed_ips": ["x"]},
        format="json",
    )

    assert response.status_code == 400
    assert {"name", "scopes"} <= set(response.json()["error"]["fields"])
    assert not ApiToken.objects.exists()


def test_token_create__service_rules__400_on_their_fields(admin_api):
    account = ServiceAccountFactory()
    far = (timezone.now() + timezone.timedelta(days=400)).isoformat()

    response = admin_api.post(
        f"/v1/service-accounts/{account.pk}/tokens/",
        {"name": "ci", "scopes": ["flags:read"], "expires_at": far, "allowed_ips": ["x"]},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"expires_at", "allowed_ips"}


def test_token_create__a_person_id__404(admin_api, make_user):
    person = make_user(OPS)

    response = admin_api.post(
        f"/v1/service-accounts/{person.pk}/tokens/",
        {"name": "ci", "scopes": ["flags:read"]},
        format="json",
    )

    assert response.status_code == 404
    assert not ApiToken.objects.exists()


def test_token_create__ops__403(make_user, verified_api_client):
    account = ServiceAccountFactory()
    client = verified_api_client(make_user(OPS))

    response = client.post(
        f"/v1/service-accounts/{account.pk}/tokens/",
        {"name": "ci", "scopes": ["flags:read"]},
        format="json",
    )

    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_token_create__unverified_super_admin__refused(make_user, api_client):
    account = ServiceAccountFactory()
    person = make_user(SUPER_ADMIN)
    api_client.force_login(person, backend="apps.accounts.backends.HumanModelBackend")

    response = api_client.post(
        f"/v1/service-accounts/{account.pk}/tokens/",
        {"name": "ci", "scopes": ["flags:read"]},
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"
    assert not ApiToken.objects.exists()


def test_token_revoke__200_and_recorded(admin_api, admin):
    token, _ = make_token(scopes=["flags:read"])

    response = admin_api.post(f"/v1/tokens/{token.pk}/revoke", {"reason": "rotated"}, format="json")

    assert response.status_code == 200
    assert response.json()["revoked_at"]
    assert response.json()["revoked_by"] == admin.username
    token.refresh_from_db()
    assert token.is_revoked
    assert AuditEvent.objects.get(name="token.revoked").data["reason"] == "rotated"


def test_token_revoke__already_revoked__409(admin_api):
    token, _ = make_token(scopes=["flags:read"], revoked=True)

    response = admin_api.post(f"/v1/tokens/{token.pk}/revoke", {}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "token_already_revoked"


def test_token_revoke__unknown__404(admin_api):
    response = admin_api.post("/v1/tokens/424242/revoke", {}, format="json")

    assert response.status_code == 404


def test_token_revoke__replayed_key__first_answer(admin_api):
    token, _ = make_token(scopes=["flags:read"])
    url = f"/v1/tokens/{token.pk}/revoke"

    first = admin_api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="rv-1")
    second = admin_api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="rv-1")

    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    assert AuditEvent.objects.filter(name="token.revoked").count() == 1
