"""Service accounts and their API tokens: the writes, and the reads a manager sees.

Only an MFA-verified person holding ``accounts.manage_service_accounts`` (super_admin)
may create or disable service accounts and create, re-scope or revoke tokens. A token's
plaintext is returned once by ``token_create``; only its SHA-256 is stored.

Every write records who made it: the account's and the token's ``created_by`` and one
``ApiTokenScopeChange`` row per scope change. Those people stand behind what the token
files, so none of them may decide its change requests (``apps.approvals.behind``).
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import policy
from apps.accounts.models import ApiToken, ApiTokenScopeChange, User
from apps.accounts.scopes import SCOPES
from apps.core.events import record_event
from apps.core.logging import get_logger

log = get_logger(__name__)

MANAGE_PERMISSION = "accounts.manage_service_accounts"
DEFAULT_TOKEN_LIFETIME = timedelta(days=90)
MAX_TOKEN_LIFETIME = timedelta(days=365)
MAX_REASON_LENGTH = 500


def _require_manager(actor) -> None:
    if not policy.can(actor, MANAGE_PERMISSION):
        raise PermissionDenied(_("Only a verified super admin may manage service accounts."))


def normalise_allowed_ips(values) -> list[str]:
    """Strip, validate and canonicalise addresses/networks; raise a field error if bad."""
    cleaned: list[str] = []
    bad: list[str] = []
    for raw in values or []:
        text = str(raw).strip()
        if not text:
            continue
        try:
            network = str(ipaddress.ip_network(text, strict=False))
        except ValueError:
            bad.append(text)
            continue
        if network not in cleaned:
            cleaned.append(network)
    if bad:
        raise ValidationError(
            {"allowed_ips": _("Not an address or network: %(ips)s.") % {"ips": ", ".join(bad)}}
        )
    return cleaned


# --- service accounts ----------------------------------------------------------------


@transaction.atomic
def service_account_create(*, actor, username: str, description: str = "") -> User:
    """Create a service account: no password, no roles; it acts only through tokens."""
    _require_manager(actor)
    account = User(
        username=(username or "").strip(),
        description=(description or "").strip(),
        is_service_account=True,
        is_staff=False,
        is_superuser=False,
        created_by=actor,
    )
    account.set_unusable_password()
    account.full_clean()
    account.save()
    record_event(
        "service_account.created",
        actor=actor,
        target=account,
        data={"username": account.username, "description": account.description},
    )
    log.info("service_account.created", account=account.pk, actor=actor.pk)
    return account


@transaction.atomic
def service_account_disable(*, actor, account: User) -> User:
    """Disable a service account; its tokens stop working and the active ones are revoked."""
    _require_manager(actor)
    account = User.objects.select_for_update().get(pk=account.pk)
    if not account.is_service_account:
        raise ValidationError(_("Only service accounts can be disabled here."))
    if not account.is_active:
        return account
    account.is_active = False
    account.full_clean()
    account.save(update_fields=["is_active"])
    for token in account.api_tokens.filter(revoked_at__isnull=True):
        _revoke(actor=actor, token=token, reason=_("Service account disabled."))
    record_event(
        "service_account.disabled",
        actor=actor,
        target=account,
        data={"username": account.username},
    )
    log.info("service_account.disabled", account=account.pk, actor=actor.pk)
    return account


# --- tokens --------------------------------------------------------------------------


@transaction.atomic
def token_create(
    *,
    actor,
    service_account: User,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    allowed_ips: list[str] | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its plaintext, which is never retrievable again.

    ``expires_at`` defaults to 90 days from now and may be at most one year away.
    """
    _require_manager(actor)
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if not service_account.is_service_account:
        errors["service_account"] = [_("Tokens belong to service accounts only.")]
    elif not service_account.is_active:
        errors["service_account"] = [_("This service account is disabled.")]
    if expires_at is None:
        expires_at = now + DEFAULT_TOKEN_LIFETIME
    if expires_at > now + MAX_TOKEN_LIFETIME:
        errors["expires_at"] = [_("A token may be valid for at most one year.")]
    try:
        ips = normalise_allowed_ips(allowed_ips)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        ips = []
    ordered = _ordered_scopes(scopes)

    plaintext, prefix, token_hash = ApiToken.generate()
    token = ApiToken(
        service_account=service_account,
        name=(name or "").strip(),
        prefix=prefix,
        token_hash=token_hash,
        scopes=ordered,
        allowed_ips=ips,
        expires_at=expires_at,
        created_by=actor,
    )
    try:
        token.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    token.save()
    record_event(
        "token.created",
        actor=actor,
        target=token,
        data={
            "service_account": service_account.username,
            "name": token.name,
            "prefix": token.prefix,
            "scopes": token.scopes,
            "expires_at": token.expires_at.isoformat(),
            "allowed_ips": token.allowed_ips,
        },
    )
    log.info(
        "token.created",
        token=token.pk,
        prefix=token.prefix,
        account=service_account.pk,
        actor=actor.pk,
    )
    return token, plaintext


def _ordered_scopes(scopes) -> list[str]:
    """The scopes in their declared order, without duplicates; unknown ones stay so that
    the model's validation names them."""
    wanted = list(dict.fromkeys(scopes or []))
    return [s for s in SCOPES if s in wanted] + [s for s in wanted if s not in SCOPES]


@transaction.atomic
def token_scopes_change(*, actor, token: ApiToken, scopes: list[str], reason: str) -> ApiToken:
    """Replace a token's scopes; a reason is required. Returns the token.

    Refused for a revoked token and when nothing would change. The change is kept as an
    ``ApiTokenScopeChange`` row and an audit event: whoever changes a token's scopes
    stands behind what the token files from then on.
    """
    _require_manager(actor)
    token = ApiToken.objects.select_for_update().select_related("service_account").get(pk=token.pk)
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why the scopes change.")]
    elif len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = [_("At most %(n)d characters.") % {"n": MAX_REASON_LENGTH}]
    if token.is_revoked:
        errors["scopes"] = [_("This token is revoked; create a new one.")]
    before = list(token.scopes or [])
    after = _ordered_scopes(scopes)
    if not errors.get("scopes") and after == before:
        errors["scopes"] = [_("These are the token's scopes already.")]
    if not errors:
        token.scopes = after
        # Only the scopes change: the model's rules on them (known, at least one) apply.
        try:
            token.clean()
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                errors.setdefault("scopes", []).extend(messages)
    if errors:
        raise ValidationError(errors)
    token.save(update_fields=["scopes"])
    change = ApiTokenScopeChange(
        token=token, changed_by=actor, scopes_before=before, scopes_after=after, reason=reason
    )
    change.full_clean()
    change.save()
    record_event(
        "token.scopes_changed",
        actor=actor,
        target=token,
        data={
            "service_account": token.service_account.username,
            "name": token.name,
            "prefix": token.prefix,
            "scopes_before": before,
            "scopes_after": after,
            "reason": reason,
        },
    )
    log.info(
        "token.scopes_changed",
        token=token.pk,
        prefix=token.prefix,
        scopes=",".join(after),
        actor=actor.pk,
    )
    return token


def _revoke(*, actor, token: ApiToken, reason: str) -> ApiToken:
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    # Only the two revocation fields change, and they are set here. Revoking must succeed
    # even for a token whose other fields no longer validate (an expired token, a scope
    # since retired), so the fields the caller never touches are not re-validated.
    token.clean_fields(exclude=[f.name for f in ApiToken._meta.fields if f.name != "revoked_by"])
    token.save(update_fields=["revoked_at", "revoked_by"])
    record_event(
        "token.revoked",
        actor=actor,
        target=token,
        data={
            "service_account": token.service_account.username,
            "name": token.name,
            "prefix": token.prefix,
            "reason": reason,
        },
    )
    log.info("token.revoked", token=token.pk, prefix=token.prefix, actor=actor.pk)
    return token


@transaction.atomic
def token_revoke(*, actor, token: ApiToken, reason: str = "") -> ApiToken:
    """Revoke a token at once; every later use is refused with ``token_revoked``."""
    _require_manager(actor)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": _("At most %(n)d characters.") % {"n": MAX_REASON_LENGTH}})
    token = ApiToken.objects.select_for_update().select_related("service_account").get(pk=token.pk)
    if token.is_revoked:
        raise ValidationError(_("This token is already revoked."), code="already_revoked")
    return _revoke(actor=actor, token=token, reason=reason)


# --- reads ---------------------------------------------------------------------------


def service_account_list(*, user) -> QuerySet[User]:
    """Service accounts with their active token count; none for a non-manager."""
    now = timezone.now()
    accounts = (
        User.objects.filter(is_service_account=True)
        .annotate(
            active_token_count=Count(
                "api_tokens",
                filter=Q(api_tokens__revoked_at__isnull=True, api_tokens__expires_at__gt=now),
            )
        )
        .order_by("username")
    )
    return policy.restrict(accounts, user, MANAGE_PERMISSION)


def token_list(*, user, service_account: User | None = None) -> QuerySet[ApiToken]:
    """Tokens (optionally of one account), newest first; none for a non-manager."""
    tokens = policy.restrict(
        ApiToken.objects.select_related("service_account", "created_by", "revoked_by"),
        user,
        MANAGE_PERMISSION,
    )
    if service_account is not None:
        tokens = tokens.filter(service_account=service_account)
    return tokens.order_by("-created_at", "-id")
