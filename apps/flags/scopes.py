"""Scope kinds, their value formats and how a value is normalised.

One place decides what a scope value looks like, so the services (refusing a malformed
state), the evaluation (refusing a malformed context) and the forms agree:

- ``global``: no value (the empty string);
- ``round`` and ``project``: the platform's numeric id, a positive integer written
  without leading zeros (``"42"``);
- ``claim_type``: ``vesting``, ``referral`` or ``sbt`` (case-insensitive, stored lower-case);
- ``network``: a network slug as the platform names it (``ethereum``, ``bsc``, ``solana``,
  ``tron``, ``base-sepolia``): lower-case letters, digits and hyphens, 1–50 characters,
  starting with a letter or digit (case-insensitive, stored lower-case). Any slug of that
  form is accepted, configured in seedconfig or not: a switch must be settable for a
  network before it is configured;
- ``user``: the platform customer's id or handle: 1–150 letters, digits and
  ``_ . @ : -``, starting with a letter or digit, no spaces (kept as typed: ids are
  case-sensitive).
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScopeKind(models.TextChoices):
    GLOBAL = "global", _("Global")
    ROUND = "round", _("Round")
    CLAIM_TYPE = "claim_type", _("Claim type")
    NETWORK = "network", _("Network")
    USER = "user", _("User")
    PROJECT = "project", _("Project")


#: Context keys accepted by the evaluation (every scope kind except global).
CONTEXT_KEYS: tuple[str, ...] = (
    ScopeKind.PROJECT,
    ScopeKind.ROUND,
    ScopeKind.CLAIM_TYPE,
    ScopeKind.NETWORK,
    ScopeKind.USER,
)
CLAIM_TYPES: tuple[str, ...] = ("vesting", "referral", "sbt")

_POSITIVE_INT = re.compile(r"^[1-9][0-9]{0,18}$")
_NETWORK = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
_USER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,149}$")


def normalize_scope_value(kind: str, value) -> str:
    """The stored form of ``value`` for a scope of ``kind``; ``ValueError`` with a message
    for people when it is malformed (the caller names the field)."""
    text = "" if value is None else str(value).strip()
    if kind == ScopeKind.GLOBAL:
        if text:
            raise ValueError(_("A global state takes no scope value."))
        return ""
    if not text:
        raise ValueError(_("Enter a value for the %(kind)s scope.") % {"kind": kind})
    if kind in (ScopeKind.ROUND, ScopeKind.PROJECT):
        if not _POSITIVE_INT.match(text):
            raise ValueError(
                _("A %(kind)s is a positive whole number such as 42.") % {"kind": kind}
            )
        return text
    if kind == ScopeKind.CLAIM_TYPE:
        lowered = text.lower()
        if lowered not in CLAIM_TYPES:
            raise ValueError(
                _("A claim type is one of: %(types)s.") % {"types": ", ".join(CLAIM_TYPES)}
            )
        return lowered
    if kind == ScopeKind.NETWORK:
        lowered = text.lower()
        if not _NETWORK.match(lowered):
            raise ValueError(
                _("A network is a slug such as ethereum, bsc, solana or base-sepolia.")
            )
        return lowered
    if kind == ScopeKind.USER:
        if not _USER.match(text):
            raise ValueError(
                _(
                    "A user is the platform's customer id or handle: letters, digits and "
                    "_ . @ : - (no spaces, at most 150 characters)."
                )
            )
        return text
    raise ValueError(_("Unknown scope kind '%(kind)s'.") % {"kind": kind})
