"""Recognising what was pasted into the search box, by decoding it."""

from __future__ import annotations

import pytest

from apps.support.identifiers import Kind, recognise
from tests.support.factories import (
    evm_address,
    evm_hash,
    hex_hash,
    solana_address,
    solana_signature,
    tron_address,
)


def _kinds(text):
    return recognise(text).kinds


def test_recognise__email__exact_lowercased():
    result = recognise("  Budi.Santoso@Mail.Example ")

    assert result.kinds == [Kind.EMAIL]
    assert result.readings[0].value == "budi.santoso@mail.example"


@pytest.mark.parametrize("form", ["checksum", "lower", "upper"])
def test_recognise__evm_address_any_case__lowercase_value(form):
    address = evm_address("x1")
    typed = {"checksum": address, "lower": address.lower(), "upper": "0x" + address[2:].upper()}[
        form
    ]

    result = recognise(typed)

    assert result.kinds == [Kind.EVM_ADDRESS]
    assert result.readings[0].value == address.lower()
    assert not result.problems


def test_recognise__evm_address_wrong_checksum__refused_with_reason():
    address = evm_address("x2")
    letters = [i for i, c in enumerate(address) if c.isalpha() and i > 1]
    flipped = address[: letters[0]] + address[letters[0]].swapcase() + address[letters[0] + 1 :]

    result = recognise(flipped)

    assert result.readings == []
    assert "not a valid checksum" in result.problems[0]


def test_recognise__evm_tx_hash__also_tron_form():
    tx_hash = evm_hash("h1")

    result = recognise(tx_hash.upper().replace("0X", "0x"))

    assert result.kinds == [Kind.TX_HASH]
    assert result.readings[0].values == (tx_hash, tx_hash[2:])


def test_recognise__64_hex_without_0x__tron_id_also_tried_as_evm():
    tron_id = hex_hash("t1")

    result = recognise(tron_id)

    assert result.kinds == [Kind.TX_HASH]
    assert set(result.readings[0].values) == {tron_id, "0x" + tron_id}
    assert "EVM" in result.readings[0].note


def test_recognise__solana_address__32_bytes():
    assert _kinds(solana_address("s1"))[0] == Kind.SOLANA_ADDRESS


def test_recognise__solana_signature__64_bytes():
    result = recognise(solana_signature("s2"))

    assert result.kinds[0] == Kind.TX_HASH
    assert "Solana" in result.readings[0].note


def test_recognise__tron_address__base58check():
    assert _kinds(tron_address("t2"))[0] == Kind.TRON_ADDRESS


def test_recognise__tron_address_bad_checksum__problem():
    address = tron_address("t3")
    broken = address[:-1] + ("A" if address[-1] != "A" else "B")

    result = recognise(broken)

    assert Kind.TRON_ADDRESS not in result.kinds
    assert "checksum" in result.problems[0]


def test_recognise__digits__round_customer_number_and_external_id():
    assert _kinds("042") == [Kind.ROUND_ID, Kind.CUSTOMER_NUMBER, Kind.EXTERNAL_ID]
    assert recognise("042").readings[0].value == "42"


def test_recognise__handle_with_at__handle_and_partial_handle():
    result = recognise("@Budi_S")

    assert result.kinds == [Kind.HANDLE, Kind.TEXT_PARTIAL]
    assert result.readings[0].value == "budi_s"
    assert result.readings[1].fields == ("handle",)


def test_recognise__word__external_id_handle_and_partial_text():
    result = recognise("cust-1042")

    assert result.kinds[0] == Kind.EXTERNAL_ID
    assert Kind.TEXT_PARTIAL in result.kinds


def test_recognise__partial_email__email_partial_only():
    result = recognise("santoso@mai")

    assert Kind.EMAIL_PARTIAL in result.kinds
    assert Kind.EMAIL not in result.kinds


def test_recognise__name_with_space__name_partial():
    result = recognise("Budi  San")

    assert result.readings[-1].fields == ("name",)
    assert result.readings[-1].value == "budi san"


def test_recognise__hex_prefix__address_and_hash_prefixes():
    assert _kinds("0xdeadbeef") == [Kind.ADDRESS_PREFIX, Kind.HASH_PREFIX]


def test_recognise__two_characters__nothing_partial():
    assert Kind.TEXT_PARTIAL not in _kinds("ab")


def test_recognise__empty__nothing():
    assert recognise("   ").readings == []
