"""Filling a canned reply: placeholders from the customer, transaction and diagnostic.

A reply's text names values as ``{placeholder}`` (``PLACEHOLDERS`` lists them). A value
the diagnostic did not find — or may not show to this viewer (the customer's name before
a reveal) — is never rendered blank: it is left in the text as ``[[missing: name]]`` and
listed in ``missing``, so the page refuses to copy it until it is filled in by hand.

Which reply: the one for the diagnostic's verdict (``case.verdict``), else the case's
general reply (``case``); in the customer's language, else English (said so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from apps.support.models import CannedReply, Language

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
MISSING_MARK = "[[missing: {name}]]"

PLACEHOLDERS: dict[str, str] = {
    "handle": _("The customer's handle (@name), or their external id"),
    "external_id": _("The customer's external id"),
    "customer_name": _("The customer's display name (only after a reveal)"),
    "network": _("The network of the case"),
    "primary_wallet": _("The primary wallet's address on that network"),
    "tx_hash": _("The transaction's hash"),
    "tx_network": _("The transaction's network"),
    "tx_status": _("The transaction's status"),
    "tx_submitted": _("When the transaction was sent"),
    "pending_minutes": _("Minutes the transaction has been pending"),
    "failure_reason": _("Why the transaction, claim or refund failed"),
    "round_id": _("The round's id"),
    "project": _("The round's project"),
    "refund_status": _("The refund's status"),
    "claim_status": _("The claim's status"),
    "kyc_reason": _("Why KYC was rejected"),
    "bluecheck_status": _("The blue check's status"),
    "bluecheck_expires": _("When the blue check expires"),
    "referral_count": _("Active referrals"),
}


@dataclass
class RenderedReply:
    reply: CannedReply | None
    text: str
    missing: list[str] = field(default_factory=list)
    language: str = ""
    fell_back: bool = False  # shown in English: none in the wanted language

    @property
    def ready(self) -> bool:
        return self.reply is not None and not self.missing


def unknown_placeholders(body: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})


def fill(body: str, values: dict[str, str]) -> tuple[str, list[str]]:
    missing: list[str] = []

    def replace(match):
        name = match.group(1)
        value = values.get(name)
        if value is None or str(value).strip() == "":
            if name not in missing:
                missing.append(name)
            return MISSING_MARK.format(name=name)
        return str(value)

    return PLACEHOLDER.sub(replace, body), missing


def choose(key: str, language: str, replies: list[CannedReply]) -> tuple[CannedReply | None, bool]:
    """The reply for ``key`` (or its case) in ``language`` (or English)."""
    case = key.split(".", 1)[0]
    by = {(r.key, r.language): r for r in replies if r.is_active}
    for candidate in (key, case):
        if (candidate, language) in by:
            return by[(candidate, language)], False
    for candidate in (key, case):
        if (candidate, Language.EN) in by:
            return by[(candidate, Language.EN)], language != Language.EN
    return None, False


def render(key: str, language: str, values: dict[str, str]) -> RenderedReply:
    replies = list(CannedReply.objects.filter(key__in=[key, key.split(".", 1)[0]]))
    reply, fell_back = choose(key, language, replies)
    if reply is None:
        return RenderedReply(reply=None, text="", language=language)
    text, missing = fill(reply.body, values)
    return RenderedReply(
        reply=reply, text=text, missing=missing, language=reply.language, fell_back=fell_back
    )
