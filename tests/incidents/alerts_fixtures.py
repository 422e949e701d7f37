"""Helpers for the alert intake tests: a paging team, routes, Alertmanager payloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.accounts.roles import OPS
from apps.incidents.models import AlertDelivery
from apps.incidents.services import alerts_config
from apps.incidents.services.alerts import delivery_process
from apps.incidents.services.alerts_intake import fingerprint_of
from apps.oncall import services as oncall
from tests.factories import UserFactory, verified_contact_method

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def rfc(moment: datetime | None) -> str:
    if moment is None:
        return "0001-01-01T00:00:00Z"
    return moment.isoformat().replace("+00:00", "Z")


def am_alert(
    name: str = "IndexerLag",
    *,
    status: str = "firing",
    starts: datetime = T0,
    ends: datetime | None = None,
    fingerprint: str | None = None,
    runbook: bool = True,
    **labels,
) -> dict:
    labels = {"alertname": name, "service": "indexer", **labels}
    annotations = {"summary": f"{name} is high"}
    if runbook:
        annotations["runbook_url"] = "https://runbooks.example.test/" + name
    return {
        "status": status,
        "labels": labels,
        "annotations": annotations,
        "startsAt": rfc(starts),
        "endsAt": rfc(ends),
        "generatorURL": "http://prometheus.example.test/graph",
        "fingerprint": fingerprint or fingerprint_of(labels),
    }


def am_payload(*alerts: dict, truncated: int = 0, group_key: str = '{}:{alertname="X"}') -> dict:
    status = "firing" if any(a["status"] == "firing" for a in alerts) else "resolved"
    return {
        "version": "4",
        "groupKey": group_key,
        "truncatedAlerts": truncated,
        "status": status,
        "receiver": "opsportal",
        "groupLabels": {"service": "indexer"},
        "commonLabels": {"service": "indexer"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example.test",
        "alerts": list(alerts),
    }


@pytest.fixture
def ops(db):
    return UserFactory(roles=[OPS], username="alerts-ops")


@pytest.fixture
def paging_team(ops):
    alice = UserFactory(roles=["support"], username="alice-oncall")
    verified_contact_method(alice, target="alice@example.test")
    team = oncall.team_create(actor=ops, name="Indexer", slug="indexer")
    oncall.team_member_add(actor=ops, team=team, user=alice)
    policy = oncall.policy_create(
        actor=ops,
        team=team,
        name="L1",
        steps=[{"kind": "notify_user", "user": alice.pk, "label": "L1"}],
    )
    return {"team": team, "policy": policy, "alice": alice}


@pytest.fixture
def route(ops, paging_team):
    return alerts_config.route_save(
        actor=ops,
        name="indexer",
        matchers=['service="indexer"'],
        team=paging_team["team"],
        policy=paging_team["policy"],
    )


@pytest.fixture
def intake(token_client, django_capture_on_commit_callbacks):
    """``intake(payload)`` -> the answer; the delivery is processed as the task would."""
    api, _token = token_client(scopes=["alerts:write"])

    def _post(payload, path="/v1/alerts/alertmanager", process=True, **extra):
        with django_capture_on_commit_callbacks(execute=False):
            answer = api.post(path, payload, format="json", **extra)
        if process and answer.status_code == 202:
            assert delivery_process(answer.json()["delivery"]) == "processed"
        return answer

    _post.api = api
    return _post


def decisions_of(answer) -> list[tuple[int, str]]:
    delivery = AlertDelivery.objects.get(pk=answer.json()["delivery"])
    return [(d.index, d.kind) for d in delivery.decisions.order_by("index", "id")]


__all__ = [
    "T0",
    "am_alert",
    "am_payload",
    "decisions_of",
    "intake",
    "ops",
    "paging_team",
    "rfc",
    "route",
    "timedelta",
]
