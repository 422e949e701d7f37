"""Data of the alert intake benchmark (run with the benchmark's environment, after migrate).

A super admin, one service account with an ``alerts:write`` token, a team with an
escalation policy, and two routes: ``bench-critical`` (severity="critical": pages at once)
and ``bench-rest`` (everything else from the benchmark: pages only past 1,000,000 alerts
in 10 minutes, so it counts but never pages). Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys

import django


def main() -> None:
    sys.path.insert(0, os.getcwd())
    django.setup()
    from apps.incidents.services import alerts_config
    from apps.oncall import services as oncall
    from bench.data import make_admin, make_tokens

    admin = make_admin()
    (token,) = make_tokens(admin, ["alerts:write"])
    team = oncall.team_create(actor=admin, name="Bench on call", slug="bench-oncall")
    oncall.team_member_add(actor=admin, team=team, user=admin)
    oncall.team_set_lead(actor=admin, team=team, lead=admin)
    policy = oncall.policy_create(
        actor=admin, team=team, name="L1", steps=[{"kind": "notify_team_lead", "label": "L1"}]
    )
    alerts_config.route_save(
        actor=admin,
        name="bench-critical",
        matchers=['service="bench"', 'severity="critical"'],
        team=team,
        policy=policy,
    )
    alerts_config.route_save(
        actor=admin,
        name="bench-rest",
        matchers=['service="bench"'],
        team=team,
        policy=policy,
        threshold_count=1_000_000,
        threshold_minutes=10,
    )
    print(json.dumps({"token": token}))


if __name__ == "__main__":
    main()
