"""What did the agent paste? Recognising identifiers by decoding them, not by length alone.

``recognise(text)`` returns every reading of the text worth looking up, most specific
first, and the problems found while decoding (a wrong EIP-55 checksum, a Tron address
whose base58check does not match), so the answer can say *why* nothing was found:

- an email (``local@domain.tld``): exact, on the lower-cased address; text with ``@`` or a
  dot that is not a whole address: a partial email;
- ``0x`` + 40 hex digits: an EVM address. All lower- or all upper-case carries no checksum
  and is accepted; mixed case must match EIP-55 exactly (otherwise: "not a valid
  checksum", and nothing is looked up: one mistyped character would find a stranger);
- ``0x`` + 64 hex digits: an EVM transaction hash; 64 hex digits without ``0x``: a Tron
  transaction id, also tried as an EVM hash (one hash may exist on several networks);
- base58: a Tron address (25 bytes, the ``0x41`` prefix and a double-SHA-256 checksum), a
  Solana address (32 bytes) or a Solana signature (64 bytes), by what it decodes to;
- shorter hex (``0x`` + 6 or more digits, or 8 or more without) and base58 of 8 or more
  characters: prefixes of addresses and hashes;
- digits: a round id, a customer's number in the portal and an external id;
- anything else: an external id, a handle (``@name`` or ``name``) and, from 3 characters,
  partial email, handle and name.

Addresses and hashes are decoded with ``apps.seedconfig.addresses`` (the same rules the
configuration's treasury wallets follow).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.seedconfig.addresses import (
    TRON_PREFIX,
    AddressError,
    evm_checksum,
    normalise_evm,
)

MAX_QUERY = 200
MIN_PARTIAL = 3
MIN_HEX_PREFIX_0X = 6
MIN_PREFIX = 8

_HEX = re.compile(r"^[0-9a-fA-F]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_HANDLE = re.compile(r"^@?([A-Za-z0-9_.]{1,64})$")
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,149}$")
_DIGITS = re.compile(r"^[0-9]{1,18}$")
_BASE58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]+$")
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Kind:
    """The readings a query can have (also the ``match`` of each search result)."""

    EMAIL = "email"
    EMAIL_PARTIAL = "email_partial"
    EVM_ADDRESS = "evm_address"
    SOLANA_ADDRESS = "solana_address"
    TRON_ADDRESS = "tron_address"
    TX_HASH = "tx_hash"
    ADDRESS_PREFIX = "address_prefix"
    HASH_PREFIX = "hash_prefix"
    EXTERNAL_ID = "external_id"
    HANDLE = "handle"
    TEXT_PARTIAL = "text_partial"
    ROUND_ID = "round_id"
    CUSTOMER_NUMBER = "customer_number"


LABELS = {
    Kind.EMAIL: gettext_lazy("email"),
    Kind.EMAIL_PARTIAL: gettext_lazy("part of an email"),
    Kind.EVM_ADDRESS: gettext_lazy("EVM address"),
    Kind.SOLANA_ADDRESS: gettext_lazy("Solana address"),
    Kind.TRON_ADDRESS: gettext_lazy("Tron address"),
    Kind.TX_HASH: gettext_lazy("transaction hash"),
    Kind.ADDRESS_PREFIX: gettext_lazy("start of an address"),
    Kind.HASH_PREFIX: gettext_lazy("start of a transaction hash"),
    Kind.EXTERNAL_ID: gettext_lazy("external id"),
    Kind.HANDLE: gettext_lazy("handle"),
    Kind.TEXT_PARTIAL: gettext_lazy("part of an email, handle or name"),
    Kind.ROUND_ID: gettext_lazy("round id"),
    Kind.CUSTOMER_NUMBER: gettext_lazy("customer number"),
}
#: Readings answered by an exact index look-up (the others by trigram or prefix).
EXACT_KINDS = frozenset(
    {
        Kind.EMAIL,
        Kind.EVM_ADDRESS,
        Kind.SOLANA_ADDRESS,
        Kind.TRON_ADDRESS,
        Kind.TX_HASH,
        Kind.EXTERNAL_ID,
        Kind.HANDLE,
        Kind.ROUND_ID,
        Kind.CUSTOMER_NUMBER,
    }
)


@dataclass(frozen=True)
class Reading:
    """One way to read the query: what to look up (``values``) and how it was told."""

    kind: str
    values: tuple[str, ...]
    note: str = ""
    #: for TEXT_PARTIAL: which columns (email, handle, name)
    fields: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])

    @property
    def exact(self) -> bool:
        return self.kind in EXACT_KINDS

    @property
    def value(self) -> str:
        return self.values[0]


@dataclass
class Recognition:
    query: str
    readings: list[Reading] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return [reading.kind for reading in self.readings]


def normalise_email(value: str) -> str:
    return value.strip().lower()


def normalise_handle(value: str) -> str:
    return value.strip().lstrip("@").lower()


def normalise_name(value: str) -> str:
    return _SPACES.sub(" ", value.strip()).casefold()


def normalise_text(value: str) -> str:
    """A partial email/handle/name as it is compared (case-folded, spaces collapsed)."""
    return _SPACES.sub(" ", value.strip()).casefold()


def _b58(value: str) -> bytes | None:
    import base58

    if not _BASE58.match(value):
        return None
    try:
        return base58.b58decode(value)
    except ValueError:
        return None


def _tron_checksum_ok(decoded: bytes) -> bool:
    digest = hashlib.sha256(hashlib.sha256(decoded[:21]).digest()).digest()[:4]
    return digest == decoded[21:]


def _hex_readings(text: str, result: Recognition) -> bool:
    """0x-prefixed text. True when it was hex (whatever came of it)."""
    digits = text[2:]
    if not digits or not _HEX.match(digits):
        if len(text) > 2:
            result.problems.append(
                _("'%(text)s' starts with 0x but is not hexadecimal.") % {"text": text[:80]}
            )
        return False
    lower = digits.lower()
    if len(digits) == 40:
        try:
            normalise_evm("0x" + digits)
        except AddressError:
            result.problems.append(
                _(
                    "%(text)s is not a valid checksum address: its mixed-case letters do not "
                    "match EIP-55 (expected %(expected)s). Check the address with the "
                    "customer; a lower-case copy is looked up as it is."
                )
                % {"text": text, "expected": evm_checksum("0x" + lower)}
            )
            return True
        mixed = digits != digits.lower() and digits != digits.upper()
        note = _("checksum valid") if mixed else _("no checksum (single case)")
        result.readings.append(Reading(Kind.EVM_ADDRESS, ("0x" + lower,), note=note))
        return True
    if len(digits) == 64:
        result.readings.append(
            Reading(Kind.TX_HASH, ("0x" + lower, lower), note=_("EVM transaction hash"))
        )
        return True
    if len(digits) >= MIN_HEX_PREFIX_0X:
        if len(digits) < 40:
            result.readings.append(Reading(Kind.ADDRESS_PREFIX, ("0x" + lower,)))
        if len(digits) < 64:
            result.readings.append(Reading(Kind.HASH_PREFIX, ("0x" + lower, lower)))
    return True


def _base58_readings(text: str, result: Recognition) -> bool:
    decoded = _b58(text)
    if decoded is None:
        return False
    if len(decoded) == 25 and text.startswith("T"):
        if decoded[0] == TRON_PREFIX and _tron_checksum_ok(decoded):
            result.readings.append(Reading(Kind.TRON_ADDRESS, (text,), note=_("base58check")))
        else:
            result.problems.append(
                _(
                    "%(text)s looks like a Tron address but its base58check checksum (or "
                    "its 0x41 prefix) does not match: a character is probably wrong."
                )
                % {"text": text}
            )
        return True
    if len(decoded) == 32 and 32 <= len(text) <= 44:
        result.readings.append(Reading(Kind.SOLANA_ADDRESS, (text,), note=_("32-byte key")))
        return True
    if len(decoded) == 64 and 64 <= len(text) <= 88:
        result.readings.append(
            Reading(Kind.TX_HASH, (text,), note=_("Solana signature (64 bytes)"))
        )
        return True
    if len(text) >= MIN_PREFIX and len(text) < 88:
        result.readings.append(Reading(Kind.ADDRESS_PREFIX, (text,)))
        result.readings.append(Reading(Kind.HASH_PREFIX, (text,)))
    return False


def recognise(raw: str) -> Recognition:
    """Every reading of ``raw`` worth looking up, exact ones first."""
    text = _SPACES.sub(" ", _CONTROL.sub(" ", raw or "").strip())[:MAX_QUERY]
    result = Recognition(query=text)
    if not text:
        return result
    if " " not in text and text[:2] in ("0x", "0X"):
        _hex_readings(text, result)
        return result
    if " " not in text and len(text) == 64 and _HEX.match(text):
        lower = text.lower()
        result.readings.append(
            Reading(
                Kind.TX_HASH,
                (lower, "0x" + lower),
                note=_("Tron transaction id, also tried as an EVM hash"),
            )
        )
        return result
    if _EMAIL.match(text):
        result.readings.append(Reading(Kind.EMAIL, (normalise_email(text),)))
        return result
    if _DIGITS.match(text):
        number = str(int(text))
        result.readings.append(Reading(Kind.ROUND_ID, (number,)))
        result.readings.append(Reading(Kind.CUSTOMER_NUMBER, (number,)))
        result.readings.append(Reading(Kind.EXTERNAL_ID, (text,)))
        return result
    decoded_whole = " " not in text and _base58_readings(text, result)
    if decoded_whole:
        # A whole address or signature: an external id could still look like one.
        result.readings.append(Reading(Kind.EXTERNAL_ID, (text,)))
        return result
    if " " not in text and _EXTERNAL_ID.match(text):
        result.readings.append(Reading(Kind.EXTERNAL_ID, (text,)))
    handle = _HANDLE.match(text)
    if handle:
        result.readings.append(Reading(Kind.HANDLE, (handle.group(1).lower(),)))
    if " " not in text and _HEX.match(text) and len(text) >= MIN_PREFIX:
        result.readings.append(Reading(Kind.HASH_PREFIX, (text.lower(), "0x" + text.lower())))
    partial = normalise_text(text.lstrip("@") if text.startswith("@") else text)
    if len(partial) >= MIN_PARTIAL:
        if text.startswith("@") and handle:
            fields: tuple[str, ...] = ("handle",)
        elif "@" in text:
            fields = ("email",)
        elif " " in text:
            fields = ("name",)
        else:
            fields = ("email", "handle", "name")
        kind = Kind.EMAIL_PARTIAL if fields == ("email",) else Kind.TEXT_PARTIAL
        result.readings.append(Reading(kind, (partial,), fields=fields))
    return result
