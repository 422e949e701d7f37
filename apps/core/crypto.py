"""Encryption of secrets stored in the database (webhook secrets, bot tokens, RPC URLs).

The Fernet key is derived with HKDF-SHA256 from ``settings.FIELD_ENCRYPTION_KEY``, so the
setting can be any long random string. Keys listed in ``FIELD_ENCRYPTION_OLD_KEYS``
(optional) still decrypt, which lets the key be rotated: set the new key, keep the old one
there until every row has been saved again.

``EncryptedTextField`` encrypts on write and decrypts on read. Fernet is randomised, so the
column cannot be searched or compared in SQL; an empty string is stored as is, so "is a
secret set" stays a cheap question.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

_HKDF_INFO = b"opsportal.field-encryption.v1"
# Marks a stored value as ours, so a plaintext left from before encryption is recognised.
PREFIX = "enc1:"


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


def _derive_key(secret: str) -> bytes:
    if not secret:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is empty.")
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        secret.encode()
    )
    return base64.urlsafe_b64encode(raw)


@functools.lru_cache(maxsize=8)
def _fernet_for(current: str, old: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_derive_key(key)) for key in (current, *old)])


def _fernet() -> MultiFernet:
    old = tuple(getattr(settings, "FIELD_ENCRYPTION_OLD_KEYS", ()) or ())
    return _fernet_for(settings.FIELD_ENCRYPTION_KEY, old)


def encrypt(plaintext: str) -> str:
    """Encrypt text for storage; the result is ASCII and starts with ``enc1:``."""
    token = _fernet().encrypt(plaintext.encode("utf-8"))
    return PREFIX + token.decode("ascii")


def decrypt(stored: str) -> str:
    """Decrypt a value made by :func:`encrypt`. Raises DecryptionError otherwise."""
    if not stored.startswith(PREFIX):
        raise DecryptionError("The value is not an encrypted field value.")
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError) as exc:
        # The message names no value: it may be called on anything a row holds.
        raise DecryptionError(
            "The value cannot be decrypted with FIELD_ENCRYPTION_KEY or an old key."
        ) from exc


class EncryptedTextField(models.TextField):
    """A text column stored encrypted (Fernet); Python code only ever sees the plaintext.

    Lookups other than ``isnull`` and equality with "" are meaningless on it.
    """

    description = _("Encrypted text")

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_db_prep_save(self, value, connection):
        value = super().get_db_prep_save(value, connection)
        if value is None or value == "":
            return value
        return encrypt(str(value))
