"""Service-account and token services: who may call them, what they store and record."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.accounts.models import ApiToken, User
from apps.accounts.roles import OPS, ROLES, SUPER_ADMIN
from apps.accounts.services.tokens import (
    service_account_create,
    service_account_disable,
    token_create,
    token_revoke,
)
from apps.audit.models import AuditEvent, LogEntry
from tests.factories import ServiceAccountFactory, make_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user(SUPER_ADMIN)


def _token(admin, account=None, **overrides):
    fields = {
        "service_account": account or ServiceAccountFactory(),
        "name": "indexer",
        "scopes": ["flags:read"],
        "expires_at": None,
        "allowed_ips": [],
    }
    fields.update(overrides)
    return token_create(actor=admin, **fields)


def test_service_account_create__super_admin__no_password_no_roles_event(admin):
    account = service_account_create(actor=admin, username="tx-manager", description="tx")

    account.refresh_from_db()
    assert account.is_service_account
    assert not account.has_usable_password()
    assert account.groups.count() == 0
    assert not account.is_staff
    event = AuditEvent.objects.get(name="service_account.created")
    assert event.actor == admin
    assert event.target_id == str(account.pk)


def test_service_account_create__duplicate_name__field_error_nothing_written(admin):
    service_account_create(actor=admin, username="dup", description="")

    with pytest.raises(ValidationError) as excinfo:
        service_account_create(actor=admin, username="dup", description="")

    assert "username" in excinfo.value.message_dict
    assert User.objects.filter(username="dup").count() == 1
    assert AuditEvent.objects.filter(name="service_account.created").count() == 1


@pytest.mark.parametrize("role", sorted(set(ROLES) - {SUPER_ADMIN}))
def test_services__other_roles__permission_denied(make_user, role):
    actor = make_user(role)
    account = ServiceAccountFactory()
    token, _ = make_token(scopes=["flags:read"], service_account=account)

    with pytest.raises(PermissionDenied):
        service_account_create(actor=actor, username="nope", description="")
    with pytest.raises(PermissionDenied):
        token_create(
            actor=actor,
            service_account=account,
            name="x",
            scopes=["flags:read"],
            expires_at=None,
            allowed_ips=[],
        )
    with pytest.raises(PermissionDenied):
        token_revoke(actor=actor, token=token)
    with pytest.raises(PermissionDenied):
        service_account_disable(actor=actor, account=account)
    assert ApiToken.objects.count() == 1
    assert not User.objects.filter(username="nope").exists()


def test_services__a_service_account_as_actor__permission_denied():
    account = ServiceAccountFactory()

    with pytest.raises(PermissionDenied):
        service_account_create(actor=account, username="nope", description="")


def test_token_create__plaintext_returned_once_only_hash_stored(admin):
    token, plaintext = _token(admin)

    token.refresh_from_db()
    assert plaintext.startswith(f"ops_{token.prefix}_")
    assert token.token_hash == ApiToken.hash_token(plaintext)
    assert plaintext not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert token.created_by == admin


def test_token_create__no_expiry__90_days(admin):
    token, _ = _token(admin)

    days = (token.expires_at - timezone.now()).total_seconds() / 86400
    assert 89.9 < days <= 90


def test_token_create__more_than_a_year__field_error(admin):
    with pytest.raises(ValidationError) as excinfo:
        _token(admin, expires_at=timezone.now() + timezone.timedelta(days=366))

    assert "expires_at" in excinfo.value.message_dict
    assert not ApiToken.objects.exists()


def test_token_create__exactly_a_year__accepted(admin):
    token, _ = _token(admin, expires_at=timezone.now() + timezone.timedelta(days=365, seconds=-5))

    assert token.pk


def test_token_create__past_expiry__field_error(admin):
    with pytest.raises(ValidationError) as excinfo:
        _token(admin, expires_at=timezone.now() - timezone.timedelta(minutes=1))

    assert "expires_at" in excinfo.value.message_dict


def test_token_create__bad_input__every_field_error_at_once(admin):
    with pytest.raises(ValidationError) as excinfo:
        _token(admin, name="", scopes=["flags:read", "root:everything"], allowed_ips=["nope"])

    assert set(excinfo.value.message_dict) >= {"name", "scopes", "allowed_ips"}
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(name="token.created").exists()


def test_token_create__no_scopes__field_error(admin):
    with pytest.raises(ValidationError) as excinfo:
        _token(admin, scopes=[])

    assert "scopes" in excinfo.value.message_dict


def test_token_create__ips_and_scopes__normalised(admin):
    token, _ = _token(
        admin,
        scopes=["alerts:write", "flags:read", "alerts:write"],
        allowed_ips=[" 192.0.2.7 ", "198.51.100.0/24", "", "192.0.2.7"],
    )

    assert token.scopes == ["flags:read", "alerts:write"]
    assert token.allowed_ips == ["192.0.2.7/32", "198.51.100.0/24"]


def test_token_create__for_a_person__field_error(admin, make_user):
    with pytest.raises(ValidationError) as excinfo:
        _token(admin, account=make_user(OPS))

    assert "service_account" in excinfo.value.message_dict


def test_token_create__disabled_account__field_error(admin):
    account = ServiceAccountFactory(is_active=False)

    with pytest.raises(ValidationError) as excinfo:
        _token(admin, account=account)

    assert "service_account" in excinfo.value.message_dict


def test_token_create__audited_without_the_secret(admin):
    token, plaintext = _token(admin)

    event = AuditEvent.objects.get(name="token.created")
    assert event.actor == admin
    assert event.target_id == str(token.pk)
    assert event.data["scopes"] == ["flags:read"]
    assert plaintext not in str(event.data)
    change = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(ApiToken), object_pk=str(token.pk)
    )
    assert "token_hash" not in (change.changes or {})
    assert plaintext not in str(change.changes)


def test_token_revoke__active__revoked_and_audited(admin):
    token, _ = _token(admin)

    token_revoke(actor=admin, token=token, reason="leaked in a log")

    token.refresh_from_db()
    assert token.is_revoked
    assert token.revoked_by == admin
    event = AuditEvent.objects.get(name="token.revoked")
    assert event.data["reason"] == "leaked in a log"
    assert event.target_id == str(token.pk)


def test_token_revoke__expired_token__still_revocable(admin):
    token, _ = make_token(scopes=["flags:read"], expires_in=timezone.timedelta(days=-3))

    token_revoke(actor=admin, token=token)

    token.refresh_from_db()
    assert token.is_revoked


def test_token_revoke__twice__refused_and_recorded_once(admin):
    token, _ = _token(admin)
    token_revoke(actor=admin, token=token)

    with pytest.raises(ValidationError):
        token_revoke(actor=admin, token=token)

    assert AuditEvent.objects.filter(name="token.revoked").count() == 1


def test_service_account_disable__revokes_active_tokens_and_audits(admin):
    account = ServiceAccountFactory()
    live, _ = make_token(scopes=["flags:read"], service_account=account)
    already, _ = make_token(scopes=["flags:read"], service_account=account, revoked=True)
    revoked_at = already.revoked_at

    service_account_disable(actor=admin, account=account)

    account.refresh_from_db()
    live.refresh_from_db()
    already.refresh_from_db()
    assert not account.is_active
    assert live.is_revoked and live.revoked_by == admin
    assert already.revoked_at == revoked_at
    assert AuditEvent.objects.filter(name="service_account.disabled").count() == 1
    assert AuditEvent.objects.filter(name="token.revoked").count() == 1


def test_service_account_disable__a_person__refused(admin, make_user):
    person = make_user(OPS)

    with pytest.raises(ValidationError):
        service_account_disable(actor=admin, account=person)

    person.refresh_from_db()
    assert person.is_active
