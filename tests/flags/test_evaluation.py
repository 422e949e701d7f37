"""Evaluation: deny wins for kill switches, gates open for listed scopes, clear errors,
temporary states that end on time, and a cheap version check per call."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from apps.flags import evaluation, services
from apps.flags.evaluation import ContextError, FlagNotFound
from apps.flags.models import FlagState
from tests.flags.conftest import approve


def set_state(actor, key, state, scope_kind="global", scope_value="", **kwargs):
    kwargs.setdefault("reason", f"{state} {key} {scope_kind} {scope_value}")
    result = services.flag_state_set(
        actor=actor,
        flag=key,
        state=state,
        scope_kind=scope_kind,
        scope_value=scope_value,
        **kwargs,
    )
    return result.state


# --- deny wins ------------------------------------------------------------------------------


def test_kill_switch__global_allowed_round_42_blocked__only_round_42_blocked(people):
    # An explicit global "allowed" (via approval) and a block on round 42.
    set_state(people["ops"], "contribute", "blocked")
    approve(
        services.flag_state_set(
            actor=people["ops"], flag="contribute", state="allowed", reason="Launch ok"
        ).change_request,
        people["admin"],
    )
    blocked = set_state(people["ops"], "contribute", "blocked", "round", "42")

    round_42 = evaluation.evaluate("contribute", {"round": "42"})
    round_43 = evaluation.evaluate("contribute", {"round": "43"})

    assert (round_42.allowed, round_42.reason, round_42.state.id) == (
        False,
        "BLOCKED_SCOPE",
        blocked.pk,
    )
    assert (round_43.allowed, round_43.reason, round_43.state.scope_kind) == (
        True,
        "ALLOWED",
        "global",
    )
    assert evaluation.evaluate("contribute").allowed


def test_kill_switch__global_block_beats_a_scope_allow(people):
    set_state(people["ops"], "feed.post", "blocked", "user", "u-1")
    set_state(people["ops"], "feed.post", "allowed", "user", "u-1")
    glob = set_state(people["ops"], "feed.post", "blocked")
    decision = evaluation.evaluate("feed.post", {"user": "u-1"})
    assert (decision.allowed, decision.reason, decision.state.id) == (
        False,
        "BLOCKED_GLOBAL",
        glob.pk,
    )


def test_kill_switch__any_matching_scope_blocked__blocked(people):
    set_state(people["ops"], "claim", "blocked", "claim_type", "referral")
    assert not evaluation.evaluate("claim", {"claim_type": "referral", "user": "a"}).allowed
    assert evaluation.evaluate("claim", {"claim_type": "vesting", "user": "a"}).allowed
    set_state(people["support"], "claim", "blocked", "user", "a")
    assert not evaluation.evaluate("claim", {"claim_type": "vesting", "user": "a"}).allowed
    assert evaluation.evaluate("claim", {"claim_type": "vesting", "user": "b"}).allowed


def test_kill_switch__user_scoped_block__affects_only_that_user(people):
    set_state(people["support"], "feed.post", "blocked", "user", "spammer")
    assert not evaluation.evaluate("feed.post", {"user": "spammer"}).allowed
    assert evaluation.evaluate("feed.post", {"user": "someone"}).allowed
    no_user = evaluation.evaluate("feed.post")
    assert (no_user.allowed, no_user.reason, no_user.state) == (True, "DEFAULT", None)


def test_gate__opened_for_allow_listed_user__open_for_them_only(people):
    opened = set_state(people["ops"], "public_live", "open", "user", "dev-alice")
    set_state(people["ops"], "public_live", "open", "user", "dev-budi")

    alice = evaluation.evaluate("public_live", {"user": "dev-alice"})
    assert (alice.allowed, alice.reason, alice.state.id) == (True, "GATE_OPEN", opened.pk)
    assert evaluation.evaluate("public_live", {"user": "dev-budi"}).allowed
    stranger = evaluation.evaluate("public_live", {"user": "stranger"})
    assert (stranger.allowed, stranger.reason, stranger.state) == (False, "GATE_CLOSED", None)
    assert not evaluation.evaluate("public_live").allowed

    set_state(people["ops"], "public_live", "open", reason="Public launch")
    assert evaluation.evaluate("public_live", {"user": "stranger"}).reason == "GATE_OPEN"


def test_decision__as_dict__json_ready(people):
    row = set_state(people["ops"], "contribute", "blocked", "round", "42", incident_ref="INC-1")
    data = evaluation.evaluate("contribute", {"round": 42}).as_dict()
    assert data["flag"] == "contribute" and data["allowed"] is False
    assert data["state"]["id"] == row.pk and data["state"]["incident_ref"] == "INC-1"
    assert data["state"]["since"] == row.effective_from.isoformat()
    assert data["version"] == evaluation.current_version()


# --- errors -----------------------------------------------------------------------------


def test_evaluate__unknown_flag__flag_not_found(db):
    with pytest.raises(FlagNotFound) as missing:
        evaluation.evaluate("no.such.flag")
    assert missing.value.key == "no.such.flag"


@pytest.mark.parametrize(
    ("context", "field", "fragment"),
    [
        ({"round": "abc"}, "round", "positive whole number"),
        ({"round": "0"}, "round", "positive whole number"),
        ({"round": "-4"}, "round", "positive whole number"),
        ({"claim_type": "bonus"}, "claim_type", "does not accept"),
        ({"planet": "mars"}, "planet", "Unknown context key"),
        ({"user": "two words"}, "user", "customer id or handle"),
        ({"round": True}, "round", "as text"),
    ],
)
def test_evaluate__bad_context__field_error(db, context, field, fragment):
    with pytest.raises(ContextError) as bad:
        evaluation.evaluate("contribute", context)
    assert list(bad.value.fields) == [field]
    assert fragment in bad.value.fields[field][0]


def test_evaluate__claim_type_and_network_normalised(people):
    set_state(people["ops"], "claim", "blocked", "claim_type", "SBT")
    assert not evaluation.evaluate("claim", {"claim_type": "sbt"}).allowed
    assert not evaluation.evaluate("claim", {"claim_type": "Sbt"}).allowed
    with pytest.raises(ContextError):
        evaluation.evaluate("payout", {"network": "Eth Main"})


def test_evaluate_many__one_version__errors_name_their_index(people):
    set_state(people["ops"], "contribute", "blocked", "round", "42")
    decisions = evaluation.evaluate_many(
        [("contribute", {"round": "42"}), ("contribute", {"round": "43"}), ("payout", {})]
    )
    assert [d.allowed for d in decisions] == [False, True, True]
    assert len({d.version for d in decisions}) == 1
    with pytest.raises(FlagNotFound) as missing:
        evaluation.evaluate_many([("payout", {}), ("nope", {})])
    assert (missing.value.index, missing.value.field) == (1, "checks[1].flag")
    with pytest.raises(ContextError) as bad:
        evaluation.evaluate_many([("payout", {}), ("payout", {"round": "x"})])
    assert list(bad.value.fields) == ["checks[1].context.round"]


# --- time -------------------------------------------------------------------------------


def test_temporary_block__lifts_at_its_end(people):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        row = set_state(
            people["ops"],
            "contribute",
            "blocked",
            "round",
            "42",
            until=start + timedelta(minutes=30),
        )
        assert not evaluation.evaluate("contribute", {"round": "42"}).allowed
    with time_machine.travel(start + timedelta(minutes=29, seconds=59), tick=False):
        assert evaluation.evaluate("contribute", {"round": "42"}).state.id == row.pk
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        decision = evaluation.evaluate("contribute", {"round": "42"})
        assert (decision.allowed, decision.reason) == (True, "DEFAULT")


def test_temporary_state__earlier_state_resumes_when_it_ends(people):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        permanent = set_state(people["ops"], "feed.post", "blocked", reason="Spam wave")
        set_state(
            people["ops"],
            "feed.post",
            "allowed",
            until=start + timedelta(hours=1),
            reason="One hour for the AMA",
        )
        assert evaluation.evaluate("feed.post").allowed
    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        decision = evaluation.evaluate("feed.post")
        assert (decision.allowed, decision.reason, decision.state.id) == (
            False,
            "BLOCKED_GLOBAL",
            permanent.pk,
        )


def test_evaluate__now_argument__decides_at_that_time(people):
    start = timezone.now()
    set_state(people["ops"], "feed.post", "blocked", until=start + timedelta(minutes=10))
    assert not evaluation.evaluate("feed.post", now=start + timedelta(minutes=5)).allowed
    assert evaluation.evaluate("feed.post", now=start + timedelta(minutes=11)).allowed
    assert not evaluation.evaluate("feed.post", now=start + timedelta(minutes=1)).allowed


# --- version, snapshot and cost ------------------------------------------------------------


def test_version__changes_with_each_state_and_only_then(people):
    before = evaluation.current_version()
    assert evaluation.current_version() == before
    set_state(people["ops"], "feed.post", "blocked")
    after = evaluation.current_version()
    assert after != before
    assert evaluation.evaluate("feed.post").version == after


def test_evaluate__state_written_by_another_process__seen_at_once(people, settings):
    """With a process-local cache the version is read from the database on every call,
    so a row another process inserted (here: raw SQL, no cache bump) is seen at once."""
    assert evaluation.evaluate("feed.post").allowed
    flag_id = FlagState._meta.get_field("flag").related_model.objects.get(key="feed.post").pk
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO flags_flagstate (flag_id, scope_kind, scope_value, state, reason,"
            " incident_ref, source, effective_from, created_at)"
            " VALUES (%s, 'global', '', 'blocked', 'other process', '', 'api', %s, %s)",
            [flag_id, now - timedelta(seconds=1), now],
        )
    assert not evaluation.evaluate("feed.post").allowed


def test_evaluate__unchanged_version__one_query_per_call(people, django_assert_num_queries):
    set_state(people["ops"], "contribute", "blocked", "round", "42")
    evaluation.evaluate("contribute", {"round": "42"})  # loads the snapshot
    with django_assert_num_queries(1):  # the version check (LocMemCache: from the database)
        evaluation.evaluate("contribute", {"round": "42"})
    with django_assert_num_queries(1):
        evaluation.evaluate_many([("contribute", {"round": "42"})] * 20)


def test_evaluate__shared_cache_mode__zero_queries_and_bump_on_commit(
    people, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """In cache mode (Redis in production) an unchanged evaluation touches no database;
    a change publishes the new version after commit and the next call reloads."""
    settings.FLAGS_VERSION_SOURCE = "cache"
    from django.core.cache import cache

    cache.delete(evaluation.VERSION_CACHE_KEY)
    evaluation.evaluate("contribute", {"round": "42"})
    with django_assert_num_queries(0):
        assert evaluation.evaluate("contribute", {"round": "42"}).allowed
    with django_capture_on_commit_callbacks(execute=True):
        set_state(people["ops"], "contribute", "blocked", "round", "42")
    assert cache.get(evaluation.VERSION_CACHE_KEY) == evaluation._db_version()
    assert not evaluation.evaluate("contribute", {"round": "42"}).allowed


def test_snapshot__active_and_future_states_with_version(people):
    start = timezone.now()
    old = set_state(people["ops"], "feed.post", "blocked", "user", "u1", reason="first")
    set_state(people["ops"], "feed.post", "allowed", "user", "u1", reason="second")
    temp = set_state(
        people["ops"], "contribute", "blocked", "round", "7", until=start + timedelta(hours=2)
    )
    data = evaluation.snapshot()
    assert data["version"] == evaluation.current_version()
    by_key = {f["key"]: f for f in data["flags"]}
    assert set(by_key) >= {"contribute", "claim", "payout", "public_live", "feed.post"}
    assert by_key["contribute"]["fund_related"] is True
    assert by_key["contribute"]["scopes"][0] == "global"
    # The first row of u1 was superseded for good by a permanent one: left out.
    assert [s["reason"] for s in by_key["feed.post"]["states"]] == ["second"]
    assert old.pk not in [s["id"] for s in by_key["feed.post"]["states"]]
    (contribute_state,) = by_key["contribute"]["states"]
    assert contribute_state["id"] == temp.pk and contribute_state["until"] is not None
    assert by_key["public_live"]["kind"] == "gate"


def test_evaluate__many_states__stays_in_memory(people, settings, django_assert_num_queries):
    """10,000 scoped states over 40 flags: after one load, evaluations are dictionary
    look-ups (cache mode: not one query; the benchmark in bench/ measures throughput)."""
    from django.core.cache import cache

    from apps.flags.models import Flag

    settings.FLAGS_VERSION_SOURCE = "cache"
    settings.FLAGS_VERSION_CACHE_SECONDS = 300  # the cached version expiring would cost 1 query
    cache.delete(evaluation.VERSION_CACHE_KEY)
    flags = [
        Flag.objects.create(
            key=f"bench.flag_{i}", description="bench", kind="kill_switch", scopes=["round", "user"]
        )
        for i in range(40)
    ]
    now = timezone.now() - timedelta(seconds=1)
    FlagState.objects.bulk_create(
        FlagState(
            flag=flags[i % 40],
            scope_kind="round",
            scope_value=str(i + 1),
            state="blocked" if i % 2 else "allowed",
            reason="bench",
            source="admin",
            effective_from=now,
        )
        for i in range(10_000)
    )
    evaluation.evaluate("bench.flag_0", {"round": "1"})  # loads the snapshot
    with django_assert_num_queries(0):
        decisions = [
            evaluation.evaluate(f"bench.flag_{i % 40}", {"round": str(i + 1), "user": "u"})
            for i in range(10_000)
        ]
    assert [d.allowed for d in decisions[:4]] == [True, False, True, False]
    assert decisions[1].reason == "BLOCKED_SCOPE"
