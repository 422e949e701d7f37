"""The OpenAPI document at /v1/schema/ and the Swagger UI at /v1/docs/."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

ACCOUNTS_OPERATIONS = {
    ("/v1/me", "get"),
    ("/v1/service-accounts/", "get"),
    ("/v1/service-accounts/", "post"),
    ("/v1/service-accounts/{id}/tokens/", "get"),
    ("/v1/service-accounts/{id}/tokens/", "post"),
    ("/v1/tokens/{id}/revoke", "post"),
}


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/v1/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_schema__valid_openapi_document(schema):
    validate_schema(schema)

    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "OpsPortal API"


def test_schema__lists_the_accounts_endpoints(schema):
    operations = {(path, method) for path, item in schema["paths"].items() for method in item}

    assert operations >= ACCOUNTS_OPERATIONS
    assert not any(path.startswith(("/v1/schema", "/v1/docs")) for path in schema["paths"])


def test_schema__bearer_and_session_security_schemes(schema):
    schemes = schema["components"]["securitySchemes"]

    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["cookieAuth"]["type"] == "apiKey"
    me = schema["paths"]["/v1/me"]["get"]
    assert {"bearerAuth": []} in me["security"]
    people_only = schema["paths"]["/v1/service-accounts/"]["post"]
    assert people_only["security"] == [{"cookieAuth": []}]


def test_schema__errors_and_idempotency_documented(schema):
    create = schema["paths"]["/v1/service-accounts/{id}/tokens/"]["post"]

    assert {"400", "401", "403", "404", "422"} <= set(create["responses"])
    error_ref = create["responses"]["403"]["content"]["application/json"]["schema"]["$ref"]
    error = schema["components"]["schemas"][error_ref.rsplit("/", 1)[1]]
    assert "error" in error["properties"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
    created_ref = create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    created = schema["components"]["schemas"][created_ref.rsplit("/", 1)[1]]
    assert "token" in created["properties"]
    assert "token_hash" not in json.dumps(schema)


def test_schema__token_secret_only_in_the_create_answer(schema):
    holders = [
        name
        for name, component in schema["components"]["schemas"].items()
        if "token" in component.get("properties", {})
        and component["properties"]["token"].get("type") == "string"
    ]

    assert holders == ["TokenCreated"]


def test_spectacular_command__validate_fail_on_warn__passes(tmp_path):
    GENERATOR_STATS.reset()
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert "/v1/me" in target.read_text()


def test_docs__swagger_ui__served_with_same_origin_scripts(client):
    response = client.get("/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    for attributes, body in scripts:
        assert not body.strip(), "inline script would be blocked by the CSP"
        src = re.search(r'src="([^"]+)"', attributes).group(1)
        assert not urlsplit(src).netloc, src
        loaded = client.get(src.replace("&amp;", "&"))
        assert loaded.status_code == 200, src
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_docs__init_script__points_at_the_schema(client):
    response = client.get("/v1/docs/?script=")

    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    assert "/v1/schema/" in response.content.decode()


# --- who may read them ---------------------------------------------------------------------

DOORS = ["/v1/schema/", "/v1/docs/", "/v1/docs/?script="]


@pytest.mark.parametrize("url", DOORS)
def test_schema_and_docs__not_public__anonymous_refused_with_json_error(client, settings, url):
    settings.API_SCHEMA_PUBLIC = False

    response = client.get(url)

    assert response.status_code in (401, 403)
    assert set(response.json()["error"]) >= {"code", "message", "fields", "request_id"}
    assert b"openapi" not in response.content


@pytest.mark.parametrize("url", DOORS)
def test_schema_and_docs__not_public__unverified_session_refused(client, settings, url):
    from tests.conftest import confirmed_totp_device
    from tests.factories import UserFactory

    settings.API_SCHEMA_PUBLIC = False
    person = UserFactory(roles=["super_admin"])
    confirmed_totp_device(person)
    client.force_login(person, backend="apps.accounts.backends.HumanModelBackend")

    response = client.get(url)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_schema__not_public__service_token_refused(token_client, settings):
    from apps.accounts.scopes import SCOPES

    settings.API_SCHEMA_PUBLIC = False
    api, _token = token_client(scopes=list(SCOPES))

    response = api.get("/v1/schema/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_not_allowed"


@pytest.mark.parametrize("url", DOORS)
def test_schema_and_docs__not_public__verified_person_served(
    make_user, verified_client, settings, url
):
    settings.API_SCHEMA_PUBLIC = False
    client = verified_client(make_user("support"))

    response = client.get(url)

    assert response.status_code == 200
    assert response.content


def test_schema__public_setting__anonymous_served(client, settings):
    settings.API_SCHEMA_PUBLIC = True

    assert client.get("/v1/schema/").status_code == 200


@pytest.mark.parametrize(("value", "expected"), [(None, False), ("true", True)])
def test_production_settings__api_schema_public__off_unless_set(tmp_path, value, expected):
    from tests.core.test_settings import production_env, start

    env = production_env(tmp_path, API_SCHEMA_PUBLIC=value)
    env["DJANGO_SETTINGS_MODULE"] = "opsportal.settings"
    show = "import django; django.setup(); from django.conf import settings as s; "
    show += "print(s.API_SCHEMA_PUBLIC)"

    result = start(env, "-c", show)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(expected)


def test_schema__people_write_endpoints__session_only_with_idempotency_key(schema):
    """``people_write_schema``: every write only people make is documented alike."""
    create = schema["paths"]["/v1/flags/"]["post"]
    parameters = {p["name"] for p in create.get("parameters", [])}

    assert create["security"] == [{"cookieAuth": []}]
    assert "Idempotency-Key" in parameters
    assert {"201", "400", "401", "403", "422"} <= set(create["responses"])


def test_schema__people_write_without_idempotency__no_idempotency_key(schema):
    channel = next(path for path in schema["paths"] if path.startswith("/v1/notify/channels/{"))
    patch = schema["paths"][channel]["patch"]

    assert patch["security"] == [{"cookieAuth": []}]
    assert "Idempotency-Key" not in {p["name"] for p in patch.get("parameters", [])}
