"""A change reloads only the new state rows: the merged snapshot decides exactly as a full
load would, and a version whose row count does not add up falls back to a full load."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.flags import evaluation
from tests.flags.test_evaluation import set_state

CONTEXTS = [
    ("contribute", {}),
    ("contribute", {"round": "42"}),
    ("contribute", {"round": "43"}),
    ("claim", {"claim_type": "vesting", "user": "u-1"}),
    ("claim", {"claim_type": "referral", "user": "u-2"}),
    ("feed.post", {"user": "u-1"}),
    ("feed.post", {"user": "u-2"}),
    ("public_live", {"user": "u-1"}),
    ("public_live", {"user": "u-3"}),
]


def _decisions():
    return [
        (d.allowed, d.reason, d.state.id if d.state else None)
        for d in evaluation.evaluate_many(CONTEXTS)
    ]


def _full_load_decisions():
    evaluation.reset()
    return _decisions()


def test_change__merged_from_new_rows__same_decisions_as_a_full_load(
    people, django_assert_num_queries
):
    ops = people["ops"]
    set_state(ops, "contribute", "blocked", "round", "42")
    _decisions()  # the snapshot is loaded once here
    loaded = evaluation._snapshot

    set_state(ops, "feed.post", "blocked", "user", "u-1")
    set_state(ops, "public_live", "open", "user", "u-1")
    set_state(
        ops, "claim", "blocked", "claim_type", "vesting", until=timezone.now() + timedelta(hours=1)
    )
    set_state(ops, "feed.post", "allowed", "user", "u-1")
    # The version query and one query for the new rows: no full reload.
    with django_assert_num_queries(2):
        merged = _decisions()
    assert evaluation._snapshot is not loaded
    # Flags without new rows are shared with the previous snapshot, changed ones copied.
    assert evaluation._snapshot.flags["payout"] is loaded.flags["payout"]
    assert evaluation._snapshot.flags["feed.post"] is not loaded.flags["feed.post"]
    assert loaded.flags["feed.post"].rows == {}

    assert merged == _full_load_decisions()
    assert merged[1][:2] == (False, "BLOCKED_SCOPE")
    assert merged[3][:2] == (False, "BLOCKED_SCOPE")
    assert merged[5][:2] == (True, "ALLOWED")
    assert merged[7][:2] == (True, "GATE_OPEN")
    assert merged[8][:2] == (False, "GATE_CLOSED")


def test_version_count_does_not_add_up__full_load(people):
    """A state whose transaction committed after one with a higher id shows as a count
    larger than the new ids explain: the merge refuses and the caller loads in full."""
    set_state(people["ops"], "contribute", "blocked", "round", "42")
    _decisions()
    snap = evaluation._snapshot
    count, state_max, flag_max = evaluation._parse_version(snap.version)
    set_state(people["ops"], "contribute", "blocked", "round", "43")

    late = f"{count + 2}.{state_max + 1}.{flag_max}"
    assert evaluation._load_new_rows(snap, late) is None
    current = evaluation._db_version()
    assert evaluation._load_new_rows(snap, current) is not None


def test_new_flag__full_load(people):
    from apps.flags import services

    _decisions()
    snap = evaluation._snapshot
    services.flag_create(
        actor=people["admin"],
        key="bridge.withdraw",
        description="Withdrawals through the bridge",
        kind="kill_switch",
        fund_related=True,
        scopes=["global", "network"],
    )

    assert evaluation._load_new_rows(snap, evaluation._db_version()) is None
    assert evaluation.evaluate("bridge.withdraw").reason == "DEFAULT"


def test_permanent_row_in_force__hides_older_rows_of_its_scope(people):
    ops = people["ops"]
    set_state(ops, "feed.post", "blocked", "user", "u-9")
    _decisions()
    set_state(ops, "feed.post", "allowed", "user", "u-9")
    evaluation.evaluate("feed.post", {"user": "u-9"})

    rows = evaluation._snapshot.flags["feed.post"].rows[("user", "u-9")]
    assert [row.state for row in rows] == ["allowed"]


def test_version_check_interval__reuses_the_version_read_within_it(people, settings):
    """Within FLAGS_VERSION_CHECK_INTERVAL_MS a process does not ask the cache again; a
    change made in this process is seen at once all the same."""
    from django.core.cache import cache

    settings.FLAGS_VERSION_SOURCE = "cache"
    settings.FLAGS_VERSION_CHECK_INTERVAL_MS = 60_000
    first = evaluation.current_version()

    cache.set(evaluation.VERSION_CACHE_KEY, "another-process-version", 30)
    assert evaluation.current_version() == first

    settings.FLAGS_VERSION_CHECK_INTERVAL_MS = 0
    assert evaluation.current_version() == "another-process-version"

    settings.FLAGS_VERSION_CHECK_INTERVAL_MS = 60_000
    evaluation.publish_version()
    assert evaluation.current_version() == evaluation._db_version()
