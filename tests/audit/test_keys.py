"""The chain key: rows keep the key they were written with, and keys only move forward."""

from __future__ import annotations

import pytest

from apps.audit.chain import key_id_for
from apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

FIRST_KEY = "first-chain-key-" + "a" * 40
SECOND_KEY = "second-chain-key-" + "b" * 40


@pytest.fixture
def rotated(settings, write_event):
    """Two events under the first key, then a rotation, then two under the second."""
    settings.AUDIT_CHAIN_KEY, settings.AUDIT_CHAIN_OLD_KEYS = FIRST_KEY, []
    before = [write_event("test.first_key") for _ in range(2)]
    settings.AUDIT_CHAIN_KEY, settings.AUDIT_CHAIN_OLD_KEYS = SECOND_KEY, [FIRST_KEY]
    after = [write_event("test.second_key") for _ in range(2)]
    return before, after


def test_rotation__old_key_in_old_keys__rows_of_both_keys_verify(rotated, run_verify):
    before, after = rotated

    ok, output = run_verify("--chain", "events")

    assert ok, output
    stored = AuditEvent.objects.in_bulk([row.pk for row in before + after])
    assert {stored[row.pk].key_id for row in before} == {key_id_for(FIRST_KEY)}
    assert {stored[row.pk].key_id for row in after} == {key_id_for(SECOND_KEY)}
    assert after[0].prev_hash == before[-1].row_hash


def test_rotation__old_key_dropped__its_first_row_reported_with_the_key_id(
    rotated, settings, run_verify
):
    before, _after = rotated
    settings.AUDIT_CHAIN_OLD_KEYS = []

    ok, output = run_verify("--chain", "events")

    assert not ok
    assert f"broken at row {before[0].pk}" in output
    assert f"key id '{key_id_for(FIRST_KEY)}'" in output
    assert "AUDIT_CHAIN_OLD_KEYS" in output


def test_rotation__row_written_with_the_retired_key_afterwards__reported(
    rotated, settings, write_event, run_verify
):
    # A process still holding the first key (or someone who got hold of it) appends.
    settings.AUDIT_CHAIN_KEY, settings.AUDIT_CHAIN_OLD_KEYS = FIRST_KEY, []
    late = write_event("test.retired_key")
    settings.AUDIT_CHAIN_KEY, settings.AUDIT_CHAIN_OLD_KEYS = SECOND_KEY, [FIRST_KEY]

    ok, output = run_verify("--chain", "events")

    assert not ok
    assert f"broken at row {late.pk}" in output
    assert "retired key" in output


def test_chain_key__unset__writing_and_verifying_refused(settings, write_event, run_verify):
    from django.core.exceptions import ImproperlyConfigured

    settings.AUDIT_CHAIN_KEY = ""

    with pytest.raises(ImproperlyConfigured, match="AUDIT_CHAIN_KEY"):
        write_event("test.no_key")
    ok, output = run_verify()

    assert not AuditEvent.objects.filter(name="test.no_key").exists()
    assert not ok
    assert "AUDIT_CHAIN_KEY is empty" in output
