"""Idempotency-Key on automation POSTs, through the service-account API."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from apps.accounts.models import ApiToken, User
from apps.accounts.roles import SUPER_ADMIN
from apps.core.models import IdempotencyRecord
from tests.conftest import verify_session
from tests.factories import ServiceAccountFactory, UserFactory

URL = "/v1/service-accounts/"


@pytest.fixture
def admin(make_user):
    return make_user(SUPER_ADMIN)


@pytest.fixture
def admin_api(admin, verified_api_client):
    return verified_api_client(admin)


def _post(client, body, key):
    return client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_replay__same_key_and_body__first_answer_and_no_second_row(admin_api):
    first = _post(admin_api, {"username": "indexer"}, "key-1")
    second = _post(admin_api, {"username": "indexer"}, "key-1")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert User.objects.filter(username="indexer").count() == 1
    assert IdempotencyRecord.objects.filter(key="key-1").count() == 1


def test_replay__same_key__service_does_not_run_twice(admin_api):
    from apps.audit.models import AuditEvent

    _post(admin_api, {"username": "indexer"}, "key-1")
    _post(admin_api, {"username": "indexer"}, "key-1")

    assert AuditEvent.objects.filter(name="service_account.created").count() == 1


def test_same_key__other_body__422_and_nothing_done(admin_api):
    _post(admin_api, {"username": "indexer"}, "key-1")

    response = _post(admin_api, {"username": "tx-manager"}, "key-1")

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in error["fields"]
    assert not User.objects.filter(username="tx-manager").exists()


def test_same_key__other_path__422(admin_api):
    account = ServiceAccountFactory()
    _post(admin_api, {"username": "indexer"}, "key-1")

    response = admin_api.post(
        f"/v1/service-accounts/{account.pk}/tokens/",
        {"name": "x", "scopes": ["flags:read"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="key-1",
    )

    assert response.status_code == 422
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "tab\tinside"])
def test_invalid_key__400_and_nothing_done(admin_api, key):
    response = _post(admin_api, {"username": "indexer"}, key)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert not User.objects.filter(username="indexer").exists()


def test_no_key__each_call_runs(admin_api):
    assert admin_api.post(URL, {"username": "a1"}, format="json").status_code == 201
    assert admin_api.post(URL, {"username": "a2"}, format="json").status_code == 201

    assert not IdempotencyRecord.objects.exists()


def test_refused_call__not_stored__same_key_may_retry_corrected(admin_api):
    bad = _post(admin_api, {"username": "bad name!"}, "key-1")
    good = _post(admin_api, {"username": "good-name"}, "key-1")

    assert bad.status_code == 400
    assert good.status_code == 201
    assert "Idempotent-Replayed" not in good
    assert User.objects.filter(username="good-name").exists()


def test_keys__belong_to_their_caller(admin_api, make_user, verified_api_client):
    other = verified_api_client(make_user(SUPER_ADMIN))
    _post(admin_api, {"username": "first"}, "shared-key")

    response = _post(other, {"username": "second"}, "shared-key")

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert User.objects.filter(username__in=["first", "second"]).count() == 2


def test_token_create_replay__secret_not_stored_nor_replayed(admin_api):
    account = ServiceAccountFactory()
    url = f"/v1/service-accounts/{account.pk}/tokens/"
    body = {"name": "ci", "scopes": ["flags:read"]}

    first = admin_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="tok-1")
    second = admin_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="tok-1")

    plaintext = first.json()["token"]
    assert plaintext.startswith("ops_")
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["token"] is None
    assert second.json()["id"] == first.json()["id"]
    assert ApiToken.objects.count() == 1
    record = IdempotencyRecord.objects.get(key="tok-1")
    assert plaintext not in str(record.response_body)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_same_key__postgres__applied_once():
    from rest_framework.test import APIClient

    admin = UserFactory(roles=[SUPER_ADMIN])
    clients = [APIClient(), APIClient()]
    for client in clients:
        verify_session(client, admin)
    barrier = threading.Barrier(2)
    responses = []
    errors = []

    def call(client):
        try:
            barrier.wait(timeout=10)
            responses.append(_post(client, {"username": "racer"}, "race-key"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sorted(r.status_code for r in responses) == [201, 201]
    assert sorted(r.get("Idempotent-Replayed", "") for r in responses) == ["", "true"]
    assert responses[0].json()["id"] == responses[1].json()["id"]
    assert User.objects.filter(username="racer").count() == 1
    assert IdempotencyRecord.objects.filter(key="race-key").count() == 1
