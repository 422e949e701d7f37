"""A page step on production's queue (Redis) when the worker running it is killed."""

from __future__ import annotations

import pytest
from django.db import transaction

from apps.audit.models import AuditEvent
from apps.notify.models import OutboxMessage, OutboxStatus
from apps.oncall import services
from apps.oncall.models import Page, PageStepRun
from tests.celery_worker import lock_waiters, wait_until
from tests.factories import verified_contact_method
from tests.notify.conftest import WEBHOOK_SECRET

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.redis]


def test_page_step__worker_killed_while_running_it__runs_once_after_restart(
    worker_processes, make_receiver, people, make_team, ops, verified_api_client
):
    receiver = make_receiver()
    (alice,) = people("alice")
    method = verified_contact_method(
        alice, kind="webhook", target=f"{receiver.url}/alice", secret=WEBHOOK_SECRET
    )
    team = make_team(alice, slug="payments")
    policy = services.policy_create(
        actor=ops,
        team=team,
        name="L1",
        steps=[{"kind": "notify_user", "user": alice.pk, "label": "L1"}],
    )
    response = verified_api_client(ops).post(
        "/v1/pages/", {"team": team.slug, "title": "Payouts stuck", "policy": policy.pk}
    )
    assert response.status_code == 201, response.content
    page = Page.objects.get(pk=response.json()["id"])

    # The step's task waits in Redis. Hold the page row it locks, so the first worker is
    # inside the step (its transaction open, the task taken but not acknowledged) when it
    # is killed.
    with transaction.atomic():
        Page.objects.select_for_update().get(pk=page.pk)
        first = worker_processes()
        wait_until(lambda: lock_waiters() >= 1, timeout=60)
        first.kill()

    assert not PageStepRun.objects.filter(page=page).exists()  # its transaction died with it
    second = worker_processes()  # Redis hands the unacknowledged task to it
    wait_until(lambda: receiver.accepted, timeout=90)
    wait_until(
        lambda: OutboxMessage.objects.filter(status=OutboxStatus.DELIVERED).exists(), timeout=30
    )
    second.stop()

    assert PageStepRun.objects.filter(page=page).count() == 1
    (message,) = OutboxMessage.objects.filter(payload__page_id=page.pk)
    assert message.contact_method == method and message.attempts == 1
    assert [r.headers["X-OpsPortal-Delivery"] for r in receiver.requests] == [str(message.pk)]
    assert Page.objects.get(pk=page.pk).status == Page.Status.EXHAUSTED
    assert AuditEvent.objects.filter(name="page.step_ran", target_id=str(page.pk)).count() == 1
