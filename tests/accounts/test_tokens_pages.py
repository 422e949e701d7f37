"""The service-account pages, as a super admin and as others."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.accounts.models import ApiToken, User
from apps.accounts.roles import OPS, SUPER_ADMIN
from apps.audit.models import AuditEvent
from tests.factories import ServiceAccountFactory, make_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user(SUPER_ADMIN)


@pytest.fixture
def page(admin, verified_client):
    return verified_client(admin)


def _in(days: int) -> str:
    return (timezone.localdate() + timezone.timedelta(days=days)).isoformat()


def test_list__super_admin__accounts_and_nav_item(page):
    ServiceAccountFactory(username="tx-manager", description="sends transactions")

    response = page.get("/service-accounts/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "tx-manager" in html and "sends transactions" in html
    assert any(item["key"] == "service_accounts" for item in response.context["nav_items"])


def test_nav_item__ops__not_offered(make_user, verified_client):
    response = verified_client(make_user(OPS)).get("/")

    assert all(item["key"] != "service_accounts" for item in response.context["nav_items"])


def test_pages__ops__403(make_user, verified_client):
    account = ServiceAccountFactory()
    token, _ = make_token(scopes=["flags:read"], service_account=account)
    client = verified_client(make_user(OPS))

    for url in [
        "/service-accounts/",
        "/service-accounts/new/",
        f"/service-accounts/{account.pk}/",
        f"/service-accounts/{account.pk}/tokens/new/",
        f"/service-accounts/tokens/{token.pk}/revoke/",
    ]:
        assert client.get(url).status_code == 403, url
    response = client.post(
        f"/service-accounts/{account.pk}/tokens/new/",
        {"name": "x", "scopes": ["flags:read"], "expires_on": _in(10)},
    )
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_pages__unverified_super_admin__sent_to_mfa(make_user, client):
    from tests.conftest import confirmed_totp_device

    person = make_user(SUPER_ADMIN)
    confirmed_totp_device(person)
    client.force_login(person, backend="apps.accounts.backends.HumanModelBackend")

    response = client.get("/service-accounts/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/mfa/")


def test_create_account__valid__redirects_to_its_page(page, admin):
    response = page.post("/service-accounts/new/", {"username": "indexer", "description": "x"})

    account = User.objects.get(username="indexer")
    assert response.status_code == 302
    assert response["Location"] == f"/service-accounts/{account.pk}/"
    assert account.is_service_account
    assert AuditEvent.objects.get(name="service_account.created").actor == admin


def test_create_account__taken_name__field_error_nothing_new(page):
    ServiceAccountFactory(username="indexer")

    response = page.post("/service-accounts/new/", {"username": "indexer"})

    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert User.objects.filter(username="indexer").count() == 1


def test_account_page__tokens_with_their_details(page):
    account = ServiceAccountFactory()
    token, _ = make_token(
        scopes=["flags:read", "alerts:write"], service_account=account, allowed_ips=["192.0.2.0/24"]
    )
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now(), last_used_ip="192.0.2.5"
    )
    make_token(scopes=["config:read"], service_account=account, revoked=True)

    response = page.get(f"/service-accounts/{account.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f"ops_{token.prefix}_" in html
    assert "alerts:write" in html and "192.0.2.0/24" in html and "192.0.2.5" in html
    assert "revoked" in html
    assert token.token_hash not in html


def test_token_form__shows_scope_checkboxes(page):
    account = ServiceAccountFactory()

    html = page.get(f"/service-accounts/{account.pk}/tokens/new/").content.decode()

    assert 'type="checkbox"' in html
    assert 'value="config:secrets"' in html
    assert 'type="date"' in html


def test_token_create__valid__secret_shown_once_with_no_store(page, admin):
    account = ServiceAccountFactory()

    response = page.post(
        f"/service-accounts/{account.pk}/tokens/new/",
        {
            "name": "indexer prod",
            "scopes": ["flags:read", "support:ingest"],
            "expires_on": _in(30),
            "allowed_ips": "192.0.2.1\n\n198.51.100.0/24\n",
        },
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    plaintext = response.context["plaintext"]
    assert plaintext in response.content.decode()
    assert token.token_hash == ApiToken.hash_token(plaintext)
    assert token.scopes == ["flags:read", "support:ingest"]
    assert token.allowed_ips == ["192.0.2.1/32", "198.51.100.0/24"]
    assert token.created_by == admin
    assert timezone.localtime(token.expires_at).date().isoformat() == _in(30)
    # Never again: the account page shows only the prefix.
    again = page.get(f"/service-accounts/{account.pk}/").content.decode()
    assert plaintext not in again
    assert f"ops_{token.prefix}_" in again


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"name": "x", "scopes": [], "expires_on": _in(10)}, "scopes"),
        ({"name": "x", "scopes": ["flags:read"], "expires_on": _in(0)}, "expires_on"),
        ({"name": "x", "scopes": ["flags:read"], "expires_on": _in(400)}, "expires_on"),
        ({"name": "x", "scopes": ["root"], "expires_on": _in(10)}, "scopes"),
        (
            {"name": "x", "scopes": ["flags:read"], "expires_on": _in(10), "allowed_ips": "x"},
            "allowed_ips",
        ),
        ({"name": "", "scopes": ["flags:read"], "expires_on": _in(10)}, "name"),
    ],
)
def test_token_create__bad_input__field_error_no_token(page, form, field):
    account = ServiceAccountFactory()

    response = page.post(f"/service-accounts/{account.pk}/tokens/new/", form)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not ApiToken.objects.exists()
    assert "plaintext" not in response.context


def test_revoke__confirm_page_then_post__revoked(page):
    account = ServiceAccountFactory()
    token, _ = make_token(scopes=["flags:read"], service_account=account)

    confirm = page.get(f"/service-accounts/tokens/{token.pk}/revoke/")
    assert confirm.status_code == 200
    token.refresh_from_db()
    assert not token.is_revoked  # a GET changes nothing

    response = page.post(f"/service-accounts/tokens/{token.pk}/revoke/", {"reason": "rotated"})

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.is_revoked
    assert AuditEvent.objects.get(name="token.revoked").data["reason"] == "rotated"


def test_disable__post__account_disabled_tokens_revoked(page):
    account = ServiceAccountFactory()
    token, _ = make_token(scopes=["flags:read"], service_account=account)

    assert page.get(f"/service-accounts/{account.pk}/disable/").status_code == 200
    response = page.post(f"/service-accounts/{account.pk}/disable/")

    assert response.status_code == 302
    account.refresh_from_db()
    token.refresh_from_db()
    assert not account.is_active
    assert token.is_revoked


def test_list__many_accounts__paginated(page):
    ServiceAccountFactory.create_batch(51)

    first = page.get("/service-accounts/")
    second = page.get("/service-accounts/?page=2")

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 1
