"""DRF authentication: service-account tokens and MFA-verified portal sessions."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication

from apps.accounts.models import ApiToken
from apps.accounts.policy import is_mfa_verified
from apps.core import context
from apps.core.client_ip import client_ip

# last_used_at is written at most this often per token, to keep hot endpoints cheap.
LAST_USED_RESOLUTION = timedelta(seconds=60)

# Tokens read from the database are kept per process for API_TOKEN_CACHE_SECONDS (1 s by
# default, 0 to read every time), keyed by prefix: a hot service calling the flags API
# then costs no query per request. Revoking a token, disabling its account or changing
# it drops the entry in the process that did it at once (signals below), and every other
# process stops accepting it within that many seconds, the same bound flag changes have.
_TOKEN_CACHE: dict[str, tuple[float, ApiToken]] = {}
_TOKEN_CACHE_MAX = 4096


def forget_cached_tokens(prefix: str | None = None) -> None:
    """Drop one token (by prefix), or all of them, from this process's token cache."""
    if prefix is None:
        _TOKEN_CACHE.clear()
    else:
        _TOKEN_CACHE.pop(prefix, None)


def _load_token(prefix: str) -> ApiToken | None:
    ttl = float(getattr(settings, "API_TOKEN_CACHE_SECONDS", 0) or 0)
    now = time.monotonic()
    if ttl > 0:
        hit = _TOKEN_CACHE.get(prefix)
        if hit is not None and now - hit[0] < ttl:
            return hit[1]
    token = ApiToken.objects.select_related("service_account").filter(prefix=prefix).first()
    if ttl > 0 and token is not None:
        if len(_TOKEN_CACHE) >= _TOKEN_CACHE_MAX:
            _TOKEN_CACHE.clear()
        _TOKEN_CACHE[prefix] = (now, token)
    return token


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer ops_<prefix>_<secret>``.

    Unknown, revoked and expired tokens get 401; a token used from an address outside
    its allow-list gets 403. Each refusal has its own error code.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        parts = request.headers.get("Authorization", "").split()
        # Another scheme (or none) is not ours to judge; the scheme name is case-insensitive.
        if not parts or parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Malformed Authorization header; expected 'Bearer <token>'."),
                code="token_malformed",
            )
        plaintext = parts[1]
        prefix = ApiToken.prefix_of(plaintext)
        token = None
        if prefix is not None:
            token = _load_token(prefix)
        if token is None or not constant_time_compare(
            token.token_hash, ApiToken.hash_token(plaintext)
        ):
            raise exceptions.AuthenticationFailed(_("Unknown API token."), code="token_invalid")
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(
                _("This API token was revoked."), code="token_revoked"
            )
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                _("This API token has expired."), code="token_expired"
            )
        account = token.service_account
        if not account.is_active:
            raise exceptions.AuthenticationFailed(
                _("This service account is disabled."), code="account_disabled"
            )
        address = client_ip(request)
        if not token.allows_ip(address):
            raise exceptions.PermissionDenied(
                _("This API token may not be used from this address."), code="ip_not_allowed"
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=address)
            token.last_used_at, token.last_used_ip = now, address
        context.set_actor(account)
        return account, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="opsportal"'


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents TokenAuthentication as the OpenAPI bearer scheme ``bearerAuth``."""

    target_class = "apps.accounts.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": _(
                "A service account's API token: Authorization: Bearer ops_<prefix>_<secret>."
            ),
        }


class VerifiedSessionAuthentication(SessionAuthentication):
    """The portal session, accepted only once the person passed MFA (CSRF enforced)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, _auth = result
        if not is_mfa_verified(request._request.user):
            raise exceptions.PermissionDenied(
                _("Complete MFA verification first."), code="mfa_required"
            )
        return user, None


class VerifiedSessionAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents the MFA-verified portal session as the OpenAPI scheme ``cookieAuth``."""

    target_class = "apps.accounts.authentication.VerifiedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        from django.conf import settings

        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": _(
                "A portal session that passed MFA; unsafe methods also need the CSRF token "
                "in the X-CSRFToken header."
            ),
        }
