"""The access log of support lookups: one row per search, page view and reveal.

Rows go to ``apps.audit``'s hash-chained access log (``record_access``), which locks the
chain head for each row: so one row per look (a search, a customer page, a transaction
page, a diagnostic, a reveal), never one per row shown. A look without a reason given is
logged with the generic reason "support lookup"; a ticket is kept when given.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from apps.core.events import record_access
from apps.core.logging import get_logger
from apps.support.privacy import REASON_CODES, may_reveal

log = get_logger(__name__)

DEFAULT_REASON = "support lookup"
MAX_TICKET = 64
_TICKET = re.compile(r"^[A-Za-z0-9#][A-Za-z0-9#_./:-]{0,63}$")

SEARCH = "support.search"
CUSTOMER_VIEW = "support.customer_view"
TRANSACTION_VIEW = "support.transaction_view"
DIAGNOSTIC = "support.diagnostic"
REVEAL = "support.reveal_pii"
WHATS = (SEARCH, CUSTOMER_VIEW, TRANSACTION_VIEW, DIAGNOSTIC, REVEAL)


def clean_ticket(value, *, required: bool = False) -> str:
    """A ticket reference such as ZD-4411 or #4411 (one word), or ValidationError."""
    ticket = (value or "").strip() if isinstance(value, str) or value is None else None
    if ticket is None:
        raise ValidationError({"ticket": [_("Give the ticket as text.")]})
    if not ticket:
        if required:
            raise ValidationError({"ticket": [_("Give the ticket this is for.")]})
        return ""
    if not _TICKET.match(ticket):
        raise ValidationError(
            {
                "ticket": [
                    _("A ticket is one word of letters, digits and # _ . / : -, e.g. ZD-4411.")
                ]
            }
        )
    return ticket


def lookup_record(*, actor, what: str, subject, reason: str = "", ticket: str = ""):
    """Log one look at customer data. ``subject``: a model instance or (type, id, text).

    On PostgreSQL, unless ``SUPPORT_ACCESS_LOG_SYNC_COMMIT`` is on, the row of a look
    (search, page view, diagnostic) is committed without waiting for the WAL flush
    (``synchronous_commit = off`` for this transaction only): a search then costs no disk
    flush, and a crash of the database server can lose the rows of at most the last
    moment (``wal_writer_delay``, 200 ms by default) — never alter, reorder or break the
    hash chain, since PostgreSQL loses whole transactions from the end only. Reveals of
    personal data (``pii_reveal``) and every other audit write stay synchronous.
    """
    if (
        connection.vendor != "postgresql"
        or connection.in_atomic_block
        or getattr(settings, "SUPPORT_ACCESS_LOG_SYNC_COMMIT", False)
    ):
        return _record(actor=actor, what=what, subject=subject, reason=reason, ticket=ticket)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return _record(actor=actor, what=what, subject=subject, reason=reason, ticket=ticket)


def _record(*, actor, what, subject, reason, ticket):
    return record_access(
        subject=subject,
        reason=(reason or DEFAULT_REASON)[:500],
        ticket=ticket,
        actor=actor,
        what=what,
    )


@transaction.atomic
def pii_reveal(*, actor, customer, reason_code: str, ticket: str):
    """Reveal one customer's email and names to ``actor``: needs ``support.reveal_pii``,
    a reason code (``REASON_CODES``) and a ticket; logged. Raises PermissionDenied or
    ValidationError (nothing logged then)."""
    if not may_reveal(actor):
        raise PermissionDenied(_("You may not reveal customers' personal data."))
    errors = {}
    if not isinstance(reason_code, str) or reason_code not in REASON_CODES:
        errors["reason_code"] = [
            _("Choose why you need it: %(codes)s.") % {"codes": ", ".join(REASON_CODES)}
        ]
    try:
        ticket = clean_ticket(ticket, required=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    entry = _record(
        actor=actor,
        what=REVEAL,
        subject=customer,
        reason=f"{reason_code}: {REASON_CODES[reason_code]}",
        ticket=ticket,
    )
    log.info("support.pii_revealed", customer=customer.pk, actor=actor.pk, reason=reason_code)
    return entry
