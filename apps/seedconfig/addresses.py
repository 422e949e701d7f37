"""Address formats of the supported network kinds.

- EVM: ``0x`` and 40 hex digits with the EIP-55 checksum. An address in one case only
  (all lower or all upper) carries no checksum; it is accepted and normalised. Mixed
  case must match the checksum exactly, because a mistyped character then shows.
- Solana: base58 that decodes to exactly 32 bytes (an ed25519 public key).
- Tron: base58check of 25 bytes: the ``0x41`` prefix, 20 address bytes and the first
  four bytes of a double SHA-256 over the first 21.

``normalise_address(kind, value)`` returns the canonical text or raises
``AddressError`` whose message says what is wrong (the caller names the network).
"""

from __future__ import annotations

import hashlib
import re

import base58
from Crypto.Hash import keccak
from django.utils.translation import gettext as _

EVM = "evm"
SOLANA = "solana"
TRON = "tron"

_EVM_PATTERN = re.compile(r"^0x[0-9a-fA-F]{40}$")
_BASE58_ALPHABET = set("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
TRON_PREFIX = 0x41


class AddressError(ValueError):
    """The text is not a valid address of the network kind; the message says why."""


def _keccak256(data: bytes) -> bytes:
    digest = keccak.new(digest_bits=256)
    digest.update(data)
    return digest.digest()


def evm_checksum(address: str) -> str:
    """The EIP-55 form of a 0x-prefixed 40-hex-digit address."""
    hex_part = address[2:].lower()
    hashed = _keccak256(hex_part.encode("ascii")).hex()
    return "0x" + "".join(
        char.upper() if char.isalpha() and int(hashed[index], 16) >= 8 else char
        for index, char in enumerate(hex_part)
    )


def normalise_evm(value: str) -> str:
    if not _EVM_PATTERN.match(value):
        raise AddressError(_("expected 0x followed by 40 hexadecimal digits"))
    hex_part = value[2:]
    checksummed = evm_checksum(value)
    if hex_part == hex_part.lower() or hex_part == hex_part.upper():
        return checksummed
    if value != checksummed:
        raise AddressError(_("the mixed-case letters do not match the EIP-55 checksum"))
    return value


def _b58decode(value: str) -> bytes:
    bad = sorted(set(value) - _BASE58_ALPHABET)
    if bad:
        raise AddressError(
            _("contains characters that are not base58: %(chars)s") % {"chars": "".join(bad)}
        )
    return base58.b58decode(value)


def normalise_solana(value: str) -> str:
    if not value:
        raise AddressError(_("the address is empty"))
    decoded = _b58decode(value)
    if len(decoded) != 32:
        raise AddressError(
            _("decodes to %(n)d bytes; a Solana address is 32 bytes") % {"n": len(decoded)}
        )
    return value


def normalise_tron(value: str) -> str:
    if not value.startswith("T"):
        raise AddressError(_("a Tron address starts with T"))
    decoded = _b58decode(value)
    if len(decoded) != 25:
        raise AddressError(
            _("decodes to %(n)d bytes; a Tron address is 25 bytes") % {"n": len(decoded)}
        )
    if decoded[0] != TRON_PREFIX:
        raise AddressError(_("the first byte is not the Tron prefix 0x41"))
    checksum = hashlib.sha256(hashlib.sha256(decoded[:21]).digest()).digest()[:4]
    if checksum != decoded[21:]:
        raise AddressError(_("the base58check checksum does not match"))
    return value


_NORMALISERS = {EVM: normalise_evm, SOLANA: normalise_solana, TRON: normalise_tron}


def normalise_address(kind: str, value: str) -> str:
    """Canonical address text for a network of ``kind``, or ``AddressError``."""
    if not isinstance(value, str):
        raise AddressError(_("the address must be text"))
    value = value.strip()
    try:
        normaliser = _NORMALISERS[kind]
    except KeyError as exc:
        raise AddressError(_("unknown network kind %(kind)r") % {"kind": kind}) from exc
    return normaliser(value)


# --- making addresses (demo data and tests) -----------------------------------------


def evm_address_from_bytes(raw: bytes) -> str:
    if len(raw) != 20:
        raise ValueError("an EVM address is 20 bytes")
    return evm_checksum("0x" + raw.hex())


def solana_address_from_bytes(raw: bytes) -> str:
    if len(raw) != 32:
        raise ValueError("a Solana address is 32 bytes")
    return base58.b58encode(raw).decode("ascii")


def tron_address_from_bytes(raw: bytes) -> str:
    if len(raw) != 20:
        raise ValueError("a Tron address holds 20 bytes after its prefix")
    body = bytes([TRON_PREFIX]) + raw
    checksum = hashlib.sha256(hashlib.sha256(body).digest()).digest()[:4]
    return base58.b58encode(body + checksum).decode("ascii")
