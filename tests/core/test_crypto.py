import pytest
from django.db import connection

from apps.core import crypto
from apps.notify.models import Channel, Kind


def test_encrypt__roundtrip__returns_the_plaintext():
    stored = crypto.encrypt("bot-token: 123:abc ✓")

    assert stored.startswith(crypto.PREFIX)
    assert "bot-token" not in stored
    assert crypto.decrypt(stored) == "bot-token: 123:abc ✓"


def test_encrypt__same_text_twice__gives_different_ciphertexts():
    assert crypto.encrypt("same") != crypto.encrypt("same")


def test_decrypt__after_the_key_changed__refuses(settings):
    stored = crypto.encrypt("rpc-url-with-key")
    settings.FIELD_ENCRYPTION_KEY = "another-key-" + "z" * 40

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored)


def test_decrypt__old_key_listed__still_decrypts(settings):
    stored = crypto.encrypt("rpc-url-with-key")
    old_key = settings.FIELD_ENCRYPTION_KEY
    settings.FIELD_ENCRYPTION_KEY = "another-key-" + "z" * 40
    settings.FIELD_ENCRYPTION_OLD_KEYS = [old_key]

    assert crypto.decrypt(stored) == "rpc-url-with-key"


@pytest.mark.parametrize("value", ["plain text", "enc1:not-a-token", "enc1:"])
def test_decrypt__not_our_ciphertext__refuses(value):
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(value)


@pytest.mark.django_db
def test_encrypted_field__saved_row__holds_no_plaintext():
    secret = "signing-secret-that-must-stay-hidden"
    channel = Channel.objects.create(
        name="hook", kind=Kind.WEBHOOK, config={"url": "https://example.test/h"}, secret=secret
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM notify_channel WHERE id = %s", [channel.pk])
        (raw,) = cursor.fetchone()
    assert secret not in raw
    assert raw.startswith(crypto.PREFIX)
    assert Channel.objects.get(pk=channel.pk).secret == secret


@pytest.mark.django_db
def test_encrypted_field__queryset_update__encrypts_too():
    channel = Channel.objects.create(
        name="hook", kind=Kind.WEBHOOK, config={"url": "https://example.test/h"}, secret="a" * 20
    )
    Channel.objects.filter(pk=channel.pk).update(secret="replaced-secret-value")

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM notify_channel WHERE id = %s", [channel.pk])
        (raw,) = cursor.fetchone()
    assert "replaced-secret-value" not in raw
    assert Channel.objects.get(pk=channel.pk).secret == "replaced-secret-value"


@pytest.mark.django_db
def test_encrypted_field__empty__stays_empty_so_not_set_is_visible():
    channel = Channel.objects.create(
        name="mail", kind=Kind.EMAIL, config={"recipients": ["ops@example.test"]}
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM notify_channel WHERE id = %s", [channel.pk])
        (raw,) = cursor.fetchone()
    assert raw == ""
    assert Channel.objects.get(pk=channel.pk).has_secret is False
