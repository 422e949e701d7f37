"""The flags demo step: launch-day states made through the services."""

from __future__ import annotations

from apps.core.demo import DemoContext, demo_people_ensure
from apps.flags import evaluation
from apps.flags.demo import flags_demo
from apps.flags.models import FlagState, ScheduledFlagChange, ScheduledStatus


def test_demo_step__fresh_database__states_and_an_approved_schedule(db):
    said: list[str] = []
    ctx = DemoContext(say=said.append)
    for person in demo_people_ensure():
        ctx.users[person.user.username] = person.user

    flags_demo(ctx)
    flags_demo(ctx)  # a second run keeps what the first made

    assert FlagState.objects.count() == 5
    decision = evaluation.evaluate("contribute", {"round": "42"})
    assert (decision.allowed, decision.reason) == (False, "BLOCKED_GLOBAL")
    round_42 = FlagState.objects.get(flag__key="contribute", scope_kind="round")
    assert (round_42.scope_value, round_42.incident_ref) == ("42", "INC-DEMO-1")
    assert not evaluation.evaluate("claim", {"user": "cust-1042"}).allowed
    assert evaluation.evaluate("public_live", {"user": "dev-alice"}).allowed
    assert evaluation.evaluate("public_live", {"user": "dev-budi"}).allowed
    assert not evaluation.evaluate("public_live", {"user": "someone"}).allowed
    scheduled = ScheduledFlagChange.objects.get()
    assert (scheduled.flag.key, scheduled.state, scheduled.status) == (
        "contribute",
        "allowed",
        ScheduledStatus.SCHEDULED,
    )
    assert scheduled.change_request.decided_by.username == "admin2"
    assert "already present" in said[-1]
