"""RPC endpoint URLs never leave the encrypted column, except to a config:secrets token."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import call_command
from django.db import connection

from apps.approvals.models import ChangeRequest
from apps.seedconfig.models import ConfigVersion, Network
from tests.seedconfig.conftest import RPC_URL, RPC_URL_2, fresh_code, load_seed, reset_replay

pytestmark = pytest.mark.django_db

SECRET_FRAGMENTS = [
    RPC_URL,
    RPC_URL_2,
    "SECRET-KEY-9f8e7d6c5b4a",
    "ANOTHER-SECRET-1a2b3c",
    "rpc.example.test",
    "ws.example.test",
]


def _leaks(text: str) -> list[str]:
    return [fragment for fragment in SECRET_FRAGMENTS if fragment in text]


def _every_database_value() -> str:
    """Every table's raw column values (as stored, not decrypted by the ORM)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from Django
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def _file_and_approve(people, api_for, document, reason):
    filed = api_for(people["finance"]).post(
        "/v1/approvals/",
        {"kind": "seedconfig.change", "payload": document, "reason": reason},
        format="json",
    )
    assert filed.status_code == 201, filed.content
    reset_replay(people["admin2"])
    approved = api_for(people["admin2"]).post(
        f"/v1/approvals/{filed.json()['id']}/approve",
        {"otp_code": fresh_code(people["admin2"])},
        format="json",
    )
    assert approved.status_code == 200, approved.content
    return filed, approved


def test_rpc_endpoints__set_and_changed__never_in_pages_api_diffs_snapshots_logs_or_audit(
    people, verified_api_client, verified_client, token_client, caplog, client
):
    caplog.set_level(logging.DEBUG)
    people["admin"].is_staff = True
    people["admin"].save()
    seen: list[str] = []

    document = load_seed()
    ethereum = next(n for n in document["networks"] if n["key"] == "ethereum")
    ethereum["rpc_endpoints"] = [RPC_URL, RPC_URL_2]
    filed, approved = _file_and_approve(people, verified_api_client, document, "set RPCs")
    seen += [filed.content.decode(), approved.content.decode()]
    document = load_seed()
    next(n for n in document["networks"] if n["key"] == "ethereum")["rpc_endpoints"] = [RPC_URL_2]
    filed2, approved2 = _file_and_approve(people, verified_api_client, document, "rotate RPC")
    seen += [filed2.content.decode(), approved2.content.decode()]

    # The endpoints are stored, and readable by the one door meant for them.
    assert Network.objects.get(key="ethereum").rpc_endpoint_list == [RPC_URL_2]
    secrets_api, _token = token_client(scopes=["config:read", "config:secrets"])
    assert RPC_URL_2 in secrets_api.get("/v1/config/?include_secrets=1").content.decode()

    api, _token = token_client(scopes=["config:read"])
    for url in [
        "/v1/config/",
        "/v1/config/networks",
        "/v1/config/assets",
        "/v1/config/treasury-wallets",
        "/v1/config/fee-rules",
        "/v1/config/limits",
        "/v1/config/versions/",
        "/v1/config/versions/1/",
        "/v1/config/versions/2/",
        "/v1/config/versions/2/?against=1",
    ]:
        response = api.get(url)
        assert response.status_code == 200, url
        seen.append(response.content.decode())
    person_api = verified_api_client(people["admin"])
    for url in ["/v1/approvals/", f"/v1/approvals/{filed.json()['id']}/"]:
        seen.append(person_api.get(url).content.decode())
    pages = verified_client(people["admin"])
    network = Network.objects.get(key="ethereum")
    for url in [
        "/config/",
        "/config/versions/",
        "/config/versions/1/",
        "/config/versions/2/",
        "/config/compare/?older=0&newer=2",
        "/approvals/",
        f"/approvals/{filed.json()['id']}/",
        f"/approvals/{filed2.json()['id']}/",
        "/admin/seedconfig/network/",
        f"/admin/seedconfig/network/{network.pk}/change/",
        "/admin/seedconfig/configversion/",
    ]:
        response = pages.get(url)
        assert response.status_code == 200, url
        seen.append(response.content.decode())
    exported = io.StringIO()
    call_command("seed_config", "export", stdout=exported)
    seen.append(exported.getvalue())
    version_2 = ConfigVersion.objects.get(number=2)
    assert any(row["field"] == "networks[ethereum].rpc_endpoints" for row in version_2.diff)

    for text in seen:
        assert not _leaks(text), _leaks(text)
    assert not _leaks(caplog.text)
    # Change requests, versions, audit (change records, events, access log) and every other
    # table, as stored.
    assert not _leaks(repr(list(ChangeRequest.objects.values())))
    assert not _leaks(_every_database_value())
