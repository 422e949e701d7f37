"""Address formats, and the history that cannot be rewritten."""

from __future__ import annotations

import hashlib

import base58
import pytest

from apps.seedconfig.addresses import (
    AddressError,
    normalise_address,
    solana_address_from_bytes,
    tron_address_from_bytes,
)
from apps.seedconfig.models import ConfigVersion
from tests.seedconfig.conftest import load_seed

# The EIP-55 specification's own examples.
EIP55_EXAMPLES = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


@pytest.mark.parametrize("address", EIP55_EXAMPLES)
def test_evm_address__eip55_examples__accepted_and_lower_or_upper_normalised(address):
    assert normalise_address("evm", address) == address
    assert normalise_address("evm", address.lower()) == address
    assert normalise_address("evm", "0x" + address[2:].upper()) == address


def test_evm_address__one_letter_case_flipped__refused():
    address = EIP55_EXAMPLES[0]
    broken = address[:3] + address[3].swapcase() + address[4:]

    with pytest.raises(AddressError, match="EIP-55"):
        normalise_address("evm", broken)


def test_solana_and_tron__known_token_addresses__accepted():
    assert normalise_address("solana", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")
    assert normalise_address("tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")


def test_made_addresses__round_trip_through_the_validators():
    assert normalise_address("solana", solana_address_from_bytes(bytes(32)))
    assert normalise_address("tron", tron_address_from_bytes(bytes(range(20)))).startswith("T")


def test_tron_address__valid_checksum_but_wrong_prefix__refused():
    body = bytes([0x42]) + bytes(20)
    checksum = hashlib.sha256(hashlib.sha256(body).digest()).digest()[:4]
    address = base58.b58encode(body + checksum).decode()

    with pytest.raises(AddressError, match="0x41"):
        normalise_address("tron", address)


def test_config_version__update_or_delete__refused(people, applied):
    applied(load_seed())
    version = ConfigVersion.objects.get()

    version.sha256 = "0" * 64
    with pytest.raises(RuntimeError, match="append-only"):
        version.save()
    with pytest.raises(RuntimeError, match="append-only"):
        version.delete()
