"""Account lockout (django-axes): per username and client address, never for everyone.

Axes counts failed passwords by itself (its backend and the ``user_login_failed``
signal). A wrong OTP or backup code is reported the same way by
``second_factor_failed``. Both count per (username, client address): AXES_FAILURE_LIMIT
failures of either kind, in any mix, lock that account *at that address* for
AXES_COOLOFF_TIME. The owner logging in from another address is not locked, so knowing a
username is not enough to keep its owner out. The address is the one
``apps.core.client_ip`` reads behind TRUSTED_PROXY_COUNT trusted proxies.

Many failures on one username from many addresses (LOCKOUT_FLOOD_THRESHOLD within
AXES_COOLOFF_TIME, ``under_flood``) do not lock anyone: the login page then asks for the
second factor together with the password and answers a wrong password and a wrong code
alike, so guessing passwords from a thousand addresses learns nothing while the owner,
who has the code, logs in.

The counter of an address is cleared only when a person completes both factors there
(``clear_failures``), never by a correct password alone, or when a super admin lifts the
lockout (``apps.accounts.services.lockouts``).
"""

from __future__ import annotations

import math
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core.api.errors import json_error_response
from apps.core.client_ip import client_ip
from apps.core.logging import get_logger

log = get_logger(__name__)


def _credentials(username: str) -> dict:
    return {"username": username}


def cool_off() -> timedelta:
    return get_cool_off() or timedelta(0)


def failure_limit() -> int:
    return int(settings.AXES_FAILURE_LIMIT)


def flood_threshold() -> int:
    return int(getattr(settings, "LOCKOUT_FLOOD_THRESHOLD", 10))


def lockout_minutes(request=None) -> int:
    cool_off_time = get_cool_off(request)
    if cool_off_time is None:
        return 0
    return max(1, math.ceil(cool_off_time.total_seconds() / 60))


def lockout_message(request=None) -> str:
    minutes = lockout_minutes(request)
    if not minutes:
        return _(
            "This account is locked at your address after too many failed attempts. "
            "Ask an administrator."
        )
    return ngettext(
        "Too many failed attempts: this account is locked for %(minutes)d minute at your address.",
        "Too many failed attempts: this account is locked for %(minutes)d minutes at your address.",
        minutes,
    ) % {"minutes": minutes}


# --- counting ------------------------------------------------------------------------------


def recent_attempts():
    """Axes's failure rows still inside the cool-off window."""
    window = cool_off()
    attempts = AccessAttempt.objects.all()
    if window:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - window)
    return attempts


def username_failures(username: str) -> int:
    """Failures on ``username`` within the cool-off window, from every address."""
    if not username:
        return 0
    total = recent_attempts().filter(username=username).aggregate(n=Sum("failures_since_start"))
    return int(total["n"] or 0)


def under_flood(username: str) -> bool:
    """Has ``username`` drawn so many failures that its login asks for the code first?"""
    threshold = flood_threshold()
    return threshold > 0 and username_failures(username) >= threshold


def is_locked(request, username: str) -> bool:
    """Is this account locked right now at the request's address?"""
    return not AxesProxyHandler.is_allowed(request, _credentials(username))


def clear_failures(request, username: str) -> int:
    """Forget the failed attempts on an account from the request's address (after both
    factors passed there). Failures from other addresses stay counted."""
    deleted, _rows = AccessAttempt.objects.filter(
        username=username, ip_address=client_ip(request)
    ).delete()
    return deleted


def second_factor_failed(request, user, *, stage: str) -> bool:
    """Audit a wrong OTP/backup code and count it toward the lockout of this address.

    Returns True if this failure locked the account here. ``stage`` says where the code
    was typed (``login``, ``verify``, ``enrol``, ``step_up``, ``backup_codes``).
    """
    from apps.accounts.services.mfa import mfa_failure_record

    # Axes marks the Django request; a DRF Request wraps it as ``_request``.
    http_request = getattr(request, "_request", request)
    mfa_failure_record(actor=user, user=user, stage=stage)
    user_login_failed.send(
        sender=__name__, credentials=_credentials(user.get_username()), request=http_request
    )
    locked = bool(getattr(http_request, "axes_locked_out", False))
    log.info("account.mfa_failed", user=user.pk, stage=stage, locked=locked)
    return locked


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out person sees (AXES_LOCKOUT_CALLABLE): the session ends, and the
    page says for how long the account is locked at this address."""
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        logout(request)
    message = lockout_message(request)
    if request.path.startswith("/v1/"):
        return json_error_response("account_locked", message, 403)
    return render(
        request,
        "accounts/lockout.html",
        {"message": message, "minutes": lockout_minutes(request)},
        status=403,
    )
