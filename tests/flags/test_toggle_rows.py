"""A toggle inserts state rows and changes no other row in the database."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from apps.audit.models import AuditEvent, ChainHead, LogEntry
from apps.flags import services
from apps.flags.models import FlagState
from apps.notify.models import OutboxMessage
from tests.flags.conftest import WEBHOOK_SECRET

STATE_TABLE = FlagState._meta.db_table
AUDIT_LOG_TABLE = LogEntry._meta.db_table
EVENT_TABLE = AuditEvent._meta.db_table
OUTBOX_TABLE = OutboxMessage._meta.db_table
CHAIN_HEAD_TABLE = ChainHead._meta.db_table


def every_row() -> dict[str, Counter]:
    """Every row of every table, as a multiset of its column values (text)."""
    rows: dict[str, Counter] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows[table] = Counter(tuple(repr(v) for v in row) for row in cursor.fetchall())
    return rows


def changes(before: dict[str, Counter], after: dict[str, Counter]) -> dict[str, tuple[int, int]]:
    """Per table that differs: (rows that appeared, rows that disappeared)."""
    result = {}
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, Counter()), after.get(table, Counter())
        added, removed = sum((new - old).values()), sum((old - new).values())
        if added or removed:
            result[table] = (added, removed)
    return result


@pytest.fixture
def subscribed_channel(people, make_channel):
    channel = make_channel(
        kind="webhook", config={"url": "http://127.0.0.1:9/hook"}, secret=WEBHOOK_SECRET
    )
    services.flag_subscription_create(actor=people["admin"], channel=channel)
    return channel


@pytest.mark.parametrize(
    ("key", "state", "scope_kind", "scope_value", "actor"),
    [
        ("contribute", "blocked", "round", "42", "ops"),
        ("public_live", "open", "user", "dev-alice", "ops"),
        ("claim", "blocked", "user", "cust-1", "support"),
    ],
)
def test_toggle__inserts_a_state_row_and_changes_no_other_row(
    people, subscribed_channel, key, state, scope_kind, scope_value, actor
):
    """Compares every row of every table before and after one toggle.

    Expected, and nothing else:
    - the flag-state table gains exactly one row;
    - the audit trail gains inserted rows only: one auditlog entry (the state's creation)
      and one domain event (``flag.blocked`` / ``flag.opened``);
    - the notify outbox gains one message for the subscribed channel (written in the
      same transaction so a crash cannot lose the webhook);
    - the audit chain heads move: they are the audit trail's pointer to its newest row
      (one row per chain, updated under a lock as rows are appended; see
      apps.audit.models.ChainHead). Two chains receive a row, so two head rows change
      (shown as two rows disappearing and two appearing).
    No flag, change request, user or other row is updated or deleted.
    """
    before = every_row()

    result = services.flag_state_set(
        actor=people[actor],
        flag=key,
        state=state,
        scope_kind=scope_kind,
        scope_value=scope_value,
        reason="Toggle under test",
    )

    assert result.applied
    assert changes(before, every_row()) == {
        STATE_TABLE: (1, 0),
        AUDIT_LOG_TABLE: (1, 0),
        EVENT_TABLE: (1, 0),
        OUTBOX_TABLE: (1, 0),
        CHAIN_HEAD_TABLE: (2, 2),
    }


def test_toggle__scheduled_application__inserts_only_the_state_and_its_records(
    people, subscribed_channel
):
    """Applying a due scheduled change also writes the schedule row's status (that row is
    a workflow record, not a flag state); the flags' history is still one inserted row."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from apps.flags.models import ScheduledFlagChange

    run_at = timezone.now() + timedelta(minutes=5)
    scheduled = services.scheduled_change_create(
        actor=people["ops"], flag="feed.post", state="blocked", run_at=run_at, reason="AMA"
    )
    before = every_row()
    with time_machine.travel(run_at + timedelta(seconds=1), tick=False):
        assert services.scheduled_changes_apply_due() == 1
    diff = changes(before, every_row())
    assert diff.pop(ScheduledFlagChange._meta.db_table) == (1, 1)
    assert diff == {
        STATE_TABLE: (1, 0),
        AUDIT_LOG_TABLE: (2, 0),  # the state's creation and the schedule row's status
        EVENT_TABLE: (1, 0),
        OUTBOX_TABLE: (1, 0),
        CHAIN_HEAD_TABLE: (2, 2),
    }
    scheduled.refresh_from_db()
    assert scheduled.status == "applied"
