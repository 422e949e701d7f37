"""Account lockout (django-axes): failed passwords and failed second factors both count.

Axes counts failed passwords by itself (its backend and the ``user_login_failed``
signal). A wrong OTP or backup code is reported the same way by
``second_factor_failed``, so AXES_FAILURE_LIMIT failures of either kind, in any mix, lock
the account for AXES_COOLOFF_TIME. The counter is cleared only when a person completes
both factors (``clear_failures``), never by a correct password alone.
"""

from __future__ import annotations

import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.utils import reset as axes_reset
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core.api.errors import json_error_response
from apps.core.logging import get_logger

log = get_logger(__name__)


def _credentials(username: str) -> dict:
    return {"username": username}


def lockout_minutes(request=None) -> int:
    cool_off = get_cool_off(request)
    if cool_off is None:
        return 0
    return max(1, math.ceil(cool_off.total_seconds() / 60))


def lockout_message(request=None) -> str:
    minutes = lockout_minutes(request)
    if not minutes:
        return _("This account is locked after too many failed attempts. Ask an administrator.")
    return ngettext(
        "Too many failed attempts: this account is locked for %(minutes)d minute.",
        "Too many failed attempts: this account is locked for %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def is_locked(request, username: str) -> bool:
    """Is this account locked right now?"""
    return not AxesProxyHandler.is_allowed(request, _credentials(username))


def clear_failures(username: str) -> None:
    """Forget the failed attempts of an account (after both factors passed)."""
    axes_reset(username=username)


def second_factor_failed(request, user, *, stage: str) -> bool:
    """Audit a wrong OTP/backup code and count it toward the lockout.

    Returns True if this failure locked the account. ``stage`` says where the code was
    typed (``verify``, ``enrol``, ``step_up``, ``backup_codes``).
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
    page says for how long the account is locked."""
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
