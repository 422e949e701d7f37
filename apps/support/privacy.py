"""Masking customers' personal data, and the reveal grants kept in a person's session.

Email and names are masked for everyone by default. A person holding
``support.reveal_pii`` may reveal one customer's email and names by giving a reason code
and a ticket (``apps.support.services.access.pii_reveal``, logged in the access log); the
page then shows them to that person for ``SUPPORT_REVEAL_MINUTES``, each view logged as
usual. Amounts show only to holders of ``support.view_amounts``.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.accounts.policy import can

REVEAL = "support.reveal_pii"
VIEW_AMOUNTS = "support.view_amounts"
SESSION_KEY = "support_reveals"
HIDDEN = "•••"

REASON_CODES = {
    "identity_check": _("Checking the customer's identity on their ticket"),
    "account_recovery": _("Account recovery requested by the customer"),
    "fraud_review": _("Fraud or abuse review"),
    "data_correction": _("Correcting the customer's data"),
    "legal_request": _("Legal or regulatory request"),
}


def mask_email(email: str) -> str:
    """``budi.santoso@mail.example`` -> ``b•••@m•••.example``."""
    if not email or "@" not in email:
        return HIDDEN if email else ""
    local, _sep, domain = email.partition("@")
    host, dot, tld = domain.rpartition(".")
    if not dot:
        host, tld = domain, ""
    masked_host = (host[:1] + "•••") if host else "•••"
    return f"{local[:1]}•••@{masked_host}{'.' + tld if tld else ''}"


def mask_name(name: str) -> str:
    """``Budi Santoso`` -> ``B••• S•••``."""
    return " ".join(part[:1] + "•••" for part in name.split()) if name else ""


def may_reveal(user) -> bool:
    return can(user, REVEAL)


def may_see_amounts(user) -> bool:
    return can(user, VIEW_AMOUNTS)


def grant_reveal(session, customer_id: int) -> None:
    """Remember in the session that this person revealed this customer just now."""
    grants = {
        key: until for key, until in (session.get(SESSION_KEY) or {}).items() if until > time.time()
    }
    grants[str(customer_id)] = time.time() + 60 * settings.SUPPORT_REVEAL_MINUTES
    session[SESSION_KEY] = grants


def is_revealed(request, customer_id: int) -> bool:
    """Did this person reveal this customer within SUPPORT_REVEAL_MINUTES (and may still)?"""
    session = getattr(request, "session", None)
    if session is None or not may_reveal(request.user):
        return False
    until = (session.get(SESSION_KEY) or {}).get(str(customer_id))
    return bool(until and until > time.time())


def customer_pii(customer, *, revealed: bool) -> dict:
    """The email and name as this viewer may see them."""
    if revealed:
        return {"email": customer.email, "display_name": customer.display_name, "masked": False}
    return {
        "email": mask_email(customer.email),
        "display_name": mask_name(customer.display_name),
        "masked": True,
    }
