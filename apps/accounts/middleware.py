"""Session rules for people: MFA before anything, session lifetimes, language and time zone."""

from __future__ import annotations

import time
import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.policy import is_mfa_verified
from apps.core.api.errors import json_error_response

SESSION_LOGIN_AT = "opsportal_login_at"
SESSION_LAST_SEEN = "opsportal_last_seen"

# Paths an authenticated but unverified session may reach.
UNVERIFIED_ALLOWED_PREFIXES = (
    "/accounts/mfa/",
    "/accounts/logout/",
    "/accounts/login/",
    "/static/",
    "/health",
    "/metrics",
    "/i18n/",
)


class SessionLifetimeMiddleware:
    """Ends a session idle for SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_LIFETIME.

    The login time is stamped at login (apps.accounts.signals). The last-seen time is
    rewritten at most every LAST_SEEN_RESOLUTION seconds, so a busy page does not write
    its session on every request.
    """

    LAST_SEEN_RESOLUTION = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            login_at = request.session.get(SESSION_LOGIN_AT)
            last_seen = request.session.get(SESSION_LAST_SEEN)
            if login_at is None:
                # A session from before the stamp existed: its clock starts now.
                request.session[SESSION_LOGIN_AT] = login_at = now
            expired = (now - login_at > settings.SESSION_ABSOLUTE_LIFETIME) or (
                last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT
            )
            if expired:
                logout(request)
                if request.path.startswith("/v1/"):
                    return json_error_response(
                        "session_expired", _("Your session has expired; log in again."), 401
                    )
                return redirect(f"{reverse('accounts:login')}?expired=1")
            if last_seen is None or now - last_seen >= self.LAST_SEEN_RESOLUTION:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class MFARequiredMiddleware:
    """A person logged in but not MFA-verified reaches only enrolment, verification, logout.

    Applies to every door: portal pages (redirect), /v1/ with a session (403 JSON) and the
    admin (redirect). Token requests carry no session user and are judged by their token.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not is_mfa_verified(user)
            and not request.path.startswith(UNVERIFIED_ALLOWED_PREFIXES)
        ):
            if request.path.startswith("/v1/"):
                return json_error_response(
                    "mfa_required", _("Complete MFA verification first."), 403
                )
            from apps.accounts.mfa import has_confirmed_device

            target = "accounts:mfa_verify" if has_confirmed_device(user) else "accounts:mfa_enrol"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class UserPreferencesMiddleware:
    """Activates the person's chosen language and time zone for the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language and user.language != translation.get_language():
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone or "UTC"))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.activate(zoneinfo.ZoneInfo("UTC"))
        response = self.get_response(request)
        timezone.deactivate()
        return response
