"""Receivers for Django's and django-axes's authentication signals.

Connected in AccountsConfig.ready(). They only stamp the session and write audit events;
no business decision is taken here.
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.db import transaction

from apps.core.events import record_event
from apps.core.logging import get_logger

log = get_logger(__name__)


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    """A password login: start the session clocks and audit it."""
    from apps.accounts.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT

    session = getattr(request, "session", None)
    if session is not None:
        now = time.time()
        session[SESSION_LOGIN_AT] = now
        session[SESSION_LAST_SEEN] = now
    with transaction.atomic():
        record_event("account.login", actor=user, target=user, data={"factor": "password"})
    log.info("account.login", user=user.pk)


def on_user_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """django-axes locked an account at an address (or refused an attempt while it is):
    audit it, and remember when the lock began (the username may not exist)."""
    from apps.accounts.services.lockouts import lockout_started

    target = None
    if username:
        target = get_user_model().objects.filter(username=username).first()
    with transaction.atomic():
        record_event(
            "account.locked_out",
            actor=None,  # whoever is acting in this request, if anyone
            target=target,
            data={"username": username or "", "ip_address": ip_address or ""},
        )
        if username:
            lockout_started(
                username=username,
                ip_address=ip_address or None,
                failures=getattr(request, "axes_failures_since_start", None),
            )
    log.warning("account.locked_out", user=target.pk if target else None)


def on_token_or_account_saved(sender, instance, **kwargs) -> None:
    """A token or a service account changed: this process stops trusting its cached copy."""
    from apps.accounts.authentication import forget_cached_tokens

    prefix = getattr(instance, "prefix", None)
    if sender.__name__ == "ApiToken" and prefix:
        forget_cached_tokens(prefix)
    elif getattr(instance, "is_service_account", False):
        forget_cached_tokens()


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in
    from django.db.models.signals import post_save

    from apps.accounts.models import ApiToken

    post_save.connect(
        on_token_or_account_saved, sender=ApiToken, dispatch_uid="accounts.token_saved"
    )
    post_save.connect(
        on_token_or_account_saved,
        sender=get_user_model(),
        dispatch_uid="accounts.service_account_saved",
    )

    user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.on_user_logged_in")
    user_locked_out.connect(on_user_locked_out, dispatch_uid="accounts.on_user_locked_out")
