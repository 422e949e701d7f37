"""Anchors: chain heads kept outside the database prove the trail was not cut or rebuilt."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from apps.audit.anchors import current_anchors
from apps.audit.chain import GENESIS, compute_row_hash, key_ring
from apps.audit.models import AuditEvent, ChainHead
from apps.audit.tasks import anchor_task
from apps.core.logging import StructuredFormatter
from apps.notify.models import OutboxMessage
from apps.notify.services import outbox_deliver
from tests.audit.tampering import raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(make_user, audited, write_event, write_access):
    actor = make_user("ops")
    with audited(actor):
        for number in range(4):
            write_event(f"test.event_{number}", target=actor)
        write_access(actor, reason="look")
    return actor


@pytest.fixture
def anchor_log(tmp_path):
    """The audit app's log lines, as production writes them (JSON) and as text."""
    logger = logging.getLogger("apps.audit.services")
    paths = {"json": tmp_path / "portal.jsonl", "text": tmp_path / "portal.log"}
    handlers = []
    for kind, path in paths.items():
        handler = logging.FileHandler(path)
        handler.setFormatter(StructuredFormatter(json=kind == "json"))
        logger.addHandler(handler)
        handlers.append(handler)
    previous_level = logger.level
    logger.setLevel(logging.INFO)
    yield paths
    logger.setLevel(previous_level)
    for handler in handlers:
        logger.removeHandler(handler)
        handler.close()


def rebuild_events_without(row_id: int) -> None:
    """What an intruder holding the key does: drop a row, re-hash every later row, move
    the head, with the triggers off. The result is a consistent keyed chain."""
    key = key_ring().current
    raw("DELETE FROM audit_auditevent WHERE id = %s", [row_id])
    previous = AuditEvent.objects.filter(pk__lt=row_id).order_by("-pk").first()
    prev_hash = previous.row_hash if previous is not None else GENESIS
    for row in AuditEvent.objects.filter(pk__gt=row_id).order_by("pk"):
        row.prev_hash = prev_hash
        row.row_hash = compute_row_hash(row, prev_hash=prev_hash, key=key)
        raw(
            "UPDATE audit_auditevent SET prev_hash = %s, row_hash = %s WHERE id = %s",
            [row.prev_hash, row.row_hash, row.pk],
        )
        prev_hash = row.row_hash
        last_id = row.pk
    raw(
        "UPDATE audit_chainhead SET last_id = %s, last_hash = %s WHERE chain = 'events'",
        [last_id, prev_hash],
    )


def test_audit_anchor__prints_one_json_line_per_chain__matching_the_heads(trail, capsys):
    call_command("audit_anchor")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    heads = {head.chain: head for head in ChainHead.objects.all()}
    assert [line["chain"] for line in lines] == ["access", "changes", "events"]
    for line in lines:
        assert (line["last_id"], line["last_hash"]) == (
            heads[line["chain"]].last_id,
            heads[line["chain"]].last_hash,
        )
        assert line["taken_at"]
    assert heads["events"].last_id == AuditEvent.objects.order_by("-id").first().pk


def test_anchor__logged_yesterday__proven_today_then_fails_once_the_chain_is_rebuilt(
    trail, audited, write_event, anchor_log, run_verify
):
    yesterday = timezone.now() - timedelta(days=1)
    with time_machine.travel(yesterday, tick=False):
        anchor_task()
    anchored = AuditEvent.objects.order_by("-id").first()
    with time_machine.travel(yesterday + timedelta(days=1, minutes=5)):
        with audited(trail):
            for number in range(3):
                write_event(f"test.today_{number}", target=trail)

        logged_ok, logged_output = run_verify("--anchor", str(anchor_log["json"]))
        text_ok, text_output = run_verify("--anchor", str(anchor_log["text"]))

        rebuild_events_without(anchored.pk)
        rebuilt_plain_ok, _ = run_verify()
        rebuilt_ok, rebuilt_output = run_verify("--anchor", str(anchor_log["json"]))

    assert logged_ok, logged_output
    assert text_ok, text_output
    assert f"audit chain 'events': 7 rows, intact, 1 anchor proven (row {anchored.pk})" in (
        logged_output
    )
    assert rebuilt_plain_ok, "the rebuilt chain is consistent; only the anchor shows the change"
    assert not rebuilt_ok
    assert f"audit chain 'events' is broken at row {anchored.pk}" in rebuilt_output
    assert "is not in the chain" in rebuilt_output


def test_anchor__inline_value__proven_or_refused_by_hash(trail, run_verify):
    row = AuditEvent.objects.order_by("id")[1]

    ok, output = run_verify("--anchor", f"events:{row.pk}:{row.row_hash}")
    bad_ok, bad_output = run_verify("--anchor", f"events:{row.pk}:{'e' * 64}")

    assert ok, output
    assert f"1 anchor proven (row {row.pk})" in output
    assert not bad_ok
    assert f"broken at row {row.pk}: its hash is not the anchored {'e' * 64}" in bad_output


def test_anchor__earlier_row_rewritten__anchor_on_a_later_row_fails(trail, run_verify):
    rows = list(AuditEvent.objects.order_by("id"))
    rebuild_events_without(rows[0].pk)

    ok, output = run_verify("--anchor", f"events:{rows[-1].pk}:{rows[-1].row_hash}")

    assert not ok
    assert f"broken at row {rows[-1].pk}: its hash is not the anchored" in output


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("events:12", "neither an anchor"),
        ("events:12:abc", "neither an anchor"),
        ("ledger:1:" + "a" * 64, "unknown chain 'ledger'"),
        ("/nonexistent/anchors.jsonl", "nor a readable file"),
    ],
)
def test_audit_verify__unreadable_anchor__fails_saying_why(db, run_verify, value, message):
    ok, output = run_verify("--anchor", value)

    assert not ok
    assert message in output
    assert "intact" not in output


def test_audit_verify__anchor_file_without_anchors_or_with_a_bad_line__fails(
    db, run_verify, tmp_path
):
    empty = tmp_path / "empty.log"
    empty.write_text("2026-01-01 info some.other_event x=1\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"chain": "events", "last_id": -3, "last_hash": "a" * 64}) + "\n")

    empty_ok, empty_output = run_verify("--anchor", str(empty))
    bad_ok, bad_output = run_verify("--anchor", str(bad))

    assert not empty_ok and "holds no anchor line" in empty_output
    assert not bad_ok and "line 1: last_id must be a whole number" in bad_output


def test_audit_verify__anchor_for_a_chain_left_out__refused(trail, run_verify):
    row = AuditEvent.objects.first()

    ok, output = run_verify("--chain", "access", "--anchor", f"events:{row.pk}:{row.row_hash}")

    assert not ok
    assert "--chain leaves out" in output


# --- the periodic task and its channel ------------------------------------------------


def test_anchor_task__channel_configured__anchors_reach_the_webhook_once_per_head(
    trail, settings, make_receiver, webhook_channel, write_event, anchor_log
):
    receiver = make_receiver()
    channel = webhook_channel(receiver, name="audit-anchors")
    settings.AUDIT_ANCHOR_CHANNEL = channel.name

    def as_payload(anchors):
        return [
            {"chain": anchor.chain, "last_id": anchor.last_id, "last_hash": anchor.last_hash}
            for anchor in anchors
        ]

    first_heads = as_payload(current_anchors())
    anchor_task()
    anchor_task()  # nothing was appended in between: no second message
    first = OutboxMessage.objects.get(event="audit.anchor")
    outcome = outbox_deliver(message_id=first.pk)
    write_event("test.after_anchor")
    later_heads = as_payload(current_anchors())
    anchor_task()

    assert outcome.result == "delivered"
    assert receiver.accepted[0].json()["payload"]["anchors"] == first_heads
    later = OutboxMessage.objects.filter(event="audit.anchor").exclude(pk=first.pk).get()
    assert later.payload["anchors"] == later_heads != first_heads
    events = later_heads[2]
    assert f"events:{events['last_id']}:{events['last_hash']}" in later.body
    events_lines = [
        line for line in anchor_log["json"].read_text().splitlines() if '"events"' in line
    ]
    assert len(events_lines) == 3


def test_anchor_task__no_channel__logs_only(trail, settings, anchor_log):
    settings.AUDIT_ANCHOR_CHANNEL = None

    assert anchor_task() == 3

    assert not OutboxMessage.objects.filter(event="audit.anchor").exists()
    logged = [json.loads(line) for line in anchor_log["json"].read_text().splitlines()]
    assert {line["chain"] for line in logged if line["event"] == "audit.anchor"} == {
        "access",
        "changes",
        "events",
    }


def test_anchor_task__configured_channel_missing__logs_an_error(trail, settings, anchor_log):
    settings.AUDIT_ANCHOR_CHANNEL = "no-such-channel"

    anchor_task()

    logged = [json.loads(line) for line in anchor_log["json"].read_text().splitlines()]
    errors = [line for line in logged if line["level"] == "error"]
    assert [line["event"] for line in errors] == ["audit.anchor_channel_unavailable"]
    assert errors[0]["channel"] == "no-such-channel"
    assert not OutboxMessage.objects.filter(event="audit.anchor").exists()


def test_beat_schedule__anchor_entry__names_a_registered_task(settings):
    from opsportal.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["audit-anchor"]

    assert app.tasks[entry["task"]].name == "audit.anchor_task"
    assert entry["schedule"] == 3600.0
