"""The API-token admin: read-only, never the hash, and a revoke action through the service."""

from __future__ import annotations

import pytest

from apps.accounts.models import ApiToken
from apps.accounts.roles import OPS, SUPER_ADMIN
from apps.audit.models import AuditEvent
from tests.factories import make_token

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/apitoken/"


@pytest.fixture
def admin_page(make_user, verified_client):
    return verified_client(make_user(SUPER_ADMIN, is_staff=True))


def test_changelist__super_admin__tokens_listed_without_hash(admin_page):
    token, plaintext = make_token(scopes=["flags:read"])

    response = admin_page.get(CHANGELIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert token.prefix in html
    assert token.token_hash not in html
    assert plaintext not in html


def test_detail__super_admin__read_only_without_hash(admin_page):
    token, _ = make_token(scopes=["flags:read"])

    response = admin_page.get(f"{CHANGELIST}{token.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert token.token_hash not in html
    assert 'name="_save"' not in html


def test_add_and_delete__super_admin__refused(admin_page):
    token, _ = make_token(scopes=["flags:read"])

    assert admin_page.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_page.post(f"{CHANGELIST}{token.pk}/delete/", {"post": "yes"}).status_code == 403
    assert (
        admin_page.post(f"{CHANGELIST}{token.pk}/change/", {"name": "renamed"}).status_code == 403
    )
    token.refresh_from_db()
    assert token.name == "test token"


def test_revoke_action__selected__revoked_through_the_service(admin_page):
    first, _ = make_token(scopes=["flags:read"])
    second, _ = make_token(scopes=["flags:read"])
    untouched, _ = make_token(scopes=["flags:read"])

    response = admin_page.post(
        CHANGELIST,
        {"action": "revoke_tokens", "_selected_action": [first.pk, second.pk]},
    )

    assert response.status_code == 302
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 2
    untouched.refresh_from_db()
    assert not untouched.is_revoked
    assert AuditEvent.objects.filter(name="token.revoked").count() == 2


def test_changelist__ops_staff__refused(make_user, verified_client):
    client = verified_client(make_user(OPS, is_staff=True))
    token, _ = make_token(scopes=["flags:read"])

    assert client.get(CHANGELIST).status_code == 403
    response = client.post(CHANGELIST, {"action": "revoke_tokens", "_selected_action": [token.pk]})

    assert response.status_code == 403
    token.refresh_from_db()
    assert not token.is_revoked
