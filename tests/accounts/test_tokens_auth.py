"""API tokens at the door: what is refused, with which code, and what is never stored."""

from __future__ import annotations

import json
import time

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import serializers
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken
from apps.accounts.roles import SUPER_ADMIN
from tests.factories import ServiceAccountFactory, make_token


def _bearer(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def _error(response) -> dict:
    return response.json()["error"]


# --- the refusals -------------------------------------------------------------------------


@pytest.mark.django_db
def test_token__valid__me_answers_with_the_token(token_client):
    client, token = token_client(scopes=["flags:read", "alerts:write"])

    response = client.get("/v1/me")

    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "service_account"
    assert body["username"] == token.service_account.username
    assert body["roles"] == []
    assert body["token"]["name"] == token.name
    assert body["token"]["scopes"] == ["flags:read", "alerts:write"]
    assert body["token"]["prefix"] == token.prefix


@pytest.mark.django_db
def test_token__expired__401_token_expired(token_client):
    client, _token = token_client(scopes=["flags:read"], expires_in=timezone.timedelta(seconds=-1))

    response = client.get("/v1/me")

    assert response.status_code == 401
    assert _error(response)["code"] == "token_expired"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_token__revoked__401_token_revoked(token_client):
    client, _token = token_client(scopes=["flags:read"], revoked=True)

    response = client.get("/v1/me")

    assert response.status_code == 401
    assert _error(response)["code"] == "token_revoked"


@pytest.mark.django_db
def test_token__revoked_through_the_api__refused_at_once(make_user, verified_api_client):
    token, plaintext = make_token(scopes=["flags:read"])
    client = _bearer(plaintext)
    assert client.get("/v1/me").status_code == 200

    admin = verified_api_client(make_user(SUPER_ADMIN))
    assert admin.post(f"/v1/tokens/{token.pk}/revoke", {}, format="json").status_code == 200

    response = client.get("/v1/me")
    assert response.status_code == 401
    assert _error(response)["code"] == "token_revoked"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "presented",
    [
        "ops_000000000000_notarealsecretatall",
        "not-a-token",
        "ops__missingprefix",
    ],
)
def test_token__unknown__401_token_invalid(presented):
    make_token(scopes=["flags:read"])

    response = _bearer(presented).get("/v1/me")

    assert response.status_code == 401
    assert _error(response)["code"] == "token_invalid"


@pytest.mark.django_db
def test_token__right_prefix_wrong_secret__401_token_invalid():
    token, plaintext = make_token(scopes=["flags:read"])
    forged = f"ops_{token.prefix}_{'A' * 43}"
    assert forged != plaintext

    response = _bearer(forged).get("/v1/me")

    assert response.status_code == 401
    assert _error(response)["code"] == "token_invalid"


@pytest.mark.django_db
def test_token__malformed_header__401_token_malformed():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer one two")

    response = client.get("/v1/me")

    assert response.status_code == 401
    assert _error(response)["code"] == "token_malformed"


@pytest.mark.django_db
def test_token__lower_case_scheme__accepted():
    _token, plaintext = make_token(scopes=["flags:read"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"bearer {plaintext}")

    assert client.get("/v1/me").status_code == 200


@pytest.mark.django_db
def test_token__address_outside_allow_list__403_ip_not_allowed(token_client):
    client, token = token_client(scopes=["flags:read"], allowed_ips=["192.0.2.0/24"])

    response = client.get("/v1/me", REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 403
    assert _error(response)["code"] == "ip_not_allowed"
    token.refresh_from_db()
    assert token.last_used_at is None


@pytest.mark.django_db
def test_token__address_inside_allow_list__allowed(token_client):
    client, _token = token_client(scopes=["flags:read"], allowed_ips=["192.0.2.0/24"])

    assert client.get("/v1/me", REMOTE_ADDR="192.0.2.10").status_code == 200


@pytest.mark.django_db
def test_token__disabled_service_account__401_account_disabled(token_client):
    client, token = token_client(scopes=["flags:read"])
    token.service_account.is_active = False
    token.service_account.save()

    response = client.get("/v1/me")

    assert response.status_code == 401
    assert _error(response)["code"] == "account_disabled"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/v1/service-accounts/"),
        ("post", "/v1/service-accounts/"),
        ("get", "/v1/service-accounts/{account}/tokens/"),
        ("post", "/v1/service-accounts/{account}/tokens/"),
        ("post", "/v1/tokens/{token}/revoke"),
    ],
)
def test_token__people_only_endpoint__403_token_not_allowed(token_client, method, url):
    from apps.accounts.scopes import SCOPES

    client, token = token_client(scopes=list(SCOPES))
    url = url.format(account=token.service_account.pk, token=token.pk)
    before = ApiToken.objects.count()

    response = getattr(client, method)(
        url, {"username": "x", "name": "x", "scopes": ["flags:read"]}, format="json"
    )

    assert response.status_code == 403
    assert _error(response)["code"] == "token_not_allowed"
    assert ApiToken.objects.count() == before
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_token__used__last_used_time_and_address_recorded(token_client):
    client, token = token_client(scopes=["flags:read"])
    assert token.last_used_at is None

    client.get("/v1/me", REMOTE_ADDR="127.0.0.9")

    token.refresh_from_db()
    assert token.last_used_at is not None
    assert abs((timezone.now() - token.last_used_at).total_seconds()) < 60
    assert token.last_used_ip == "127.0.0.9"


# --- the secret is never stored -------------------------------------------------------------


def _everything_in_the_database() -> str:
    """Every row of every model, serialized, plus every table read with raw SQL."""
    chunks = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        chunks.append(serializers.serialize("json", model._base_manager.all()))
    for session in Session.objects.all():
        chunks.append(json.dumps(session.get_decoded(), default=str))
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - names from introspection
            chunks.append(repr(cursor.fetchall()))
        cursor.execute("SELECT * FROM accounts_apitoken")
        chunks.append(repr(cursor.fetchall()))
    return "\n".join(chunks)


def _assert_nowhere(plaintext: str) -> None:
    secret = plaintext.split("_", 2)[2]
    dump = _everything_in_the_database()
    assert plaintext not in dump
    assert secret not in dump
    token = ApiToken.objects.get(prefix=plaintext.split("_", 2)[1])
    assert token.token_hash == ApiToken.hash_token(plaintext)
    assert token.token_hash in dump  # the dump does see the token's row


@pytest.mark.django_db
def test_token_secret__created_through_the_api__nowhere_in_the_database(
    make_user, verified_api_client
):
    account = ServiceAccountFactory()
    admin = verified_api_client(make_user(SUPER_ADMIN))

    response = admin.post(
        f"/v1/service-accounts/{account.pk}/tokens/",
        {"name": "ci", "scopes": ["flags:read"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="secret-check",
    )

    assert response.status_code == 201
    plaintext = response.json()["token"]
    assert _bearer(plaintext).get("/v1/me").status_code == 200
    _assert_nowhere(plaintext)


@pytest.mark.django_db
def test_token_secret__created_on_the_page__nowhere_in_the_database(make_user, verified_client):
    account = ServiceAccountFactory()
    client = verified_client(make_user(SUPER_ADMIN))
    expires = (timezone.localdate() + timezone.timedelta(days=30)).isoformat()

    response = client.post(
        f"/service-accounts/{account.pk}/tokens/new/",
        {"name": "ci", "scopes": ["flags:read"], "expires_on": expires, "allowed_ips": ""},
    )

    assert response.status_code == 200
    token = ApiToken.objects.get()
    plaintext = response.context["plaintext"]
    assert plaintext.startswith(f"ops_{token.prefix}_")
    _assert_nowhere(plaintext)


@pytest.mark.django_db
def test_token__behind_one_trusted_proxy__allow_list_reads_forwarded_client(token_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client, token = token_client(scopes=["flags:read"], allowed_ips=["192.0.2.0/24"])

    inside = client.get("/v1/me", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.10")
    outside = client.get("/v1/me", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert inside.status_code == 200
    assert outside.status_code == 403
    token.refresh_from_db()
    assert token.last_used_ip == "192.0.2.10"


@pytest.mark.django_db
def test_token__forwarded_header_without_trusted_proxy__ignored(token_client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client, _token = token_client(scopes=["flags:read"], allowed_ips=["192.0.2.0/24"])

    response = client.get("/v1/me", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.10")

    assert response.status_code == 403


@pytest.mark.django_db
def test_token__client_prepends_forged_address__only_proxy_entry_counts(token_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client, _token = token_client(scopes=["flags:read"], allowed_ips=["192.0.2.0/24"])

    response = client.get(
        "/v1/me", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.10, 198.51.100.7"
    )

    assert response.status_code == 403


@pytest.mark.django_db
def test_token__revoked_by_another_process__refused_within_cache_seconds(settings):
    """Another process's revocation reaches this one's token cache within its bound; the
    row is changed with a queryset update so no signal runs here, as in another process."""
    settings.API_TOKEN_CACHE_SECONDS = 1
    token, plaintext = make_token(scopes=["flags:read"])
    client = _bearer(plaintext)
    assert client.get("/v1/me").status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    served_from_cache = client.get("/v1/me").status_code
    time.sleep(1.05)
    after_bound = client.get("/v1/me")

    assert served_from_cache == 200
    assert after_bound.status_code == 401
    assert _error(after_bound)["code"] == "token_revoked"


@pytest.mark.django_db
def test_token__cache_off__revocation_by_update_refused_at_once(settings):
    settings.API_TOKEN_CACHE_SECONDS = 0
    token, plaintext = make_token(scopes=["flags:read"])
    client = _bearer(plaintext)
    assert client.get("/v1/me").status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())

    assert client.get("/v1/me").status_code == 401


@pytest.mark.django_db
def test_token__service_account_disabled_here__refused_at_once(settings):
    settings.API_TOKEN_CACHE_SECONDS = 60
    token, plaintext = make_token(scopes=["flags:read"])
    client = _bearer(plaintext)
    assert client.get("/v1/me").status_code == 200

    account = token.service_account
    account.is_active = False
    account.save()

    response = client.get("/v1/me")
    assert response.status_code == 401
    assert _error(response)["code"] == "account_disabled"


@pytest.mark.django_db
def test_token__cached__no_query_per_request(settings, django_assert_max_num_queries):
    settings.API_TOKEN_CACHE_SECONDS = 60
    _token, plaintext = make_token(scopes=["flags:read"])
    client = _bearer(plaintext)
    assert client.get("/v1/me").status_code == 200

    with django_assert_max_num_queries(0):
        assert client.get("/v1/me").status_code == 200
