"""Escalation with a real Celery worker (Redis when there is one, else the memory broker)
and one-second minutes; reachability as the worker sees it."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from celery.bootsteps import TERMINATE
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from celery.worker import state as worker_state

from apps.audit.models import AuditEvent
from apps.notify.models import OutboxMessage, OutboxStatus
from apps.notify.services import contact_method_create
from apps.notify.transports import verify_signature
from apps.oncall.models import Page, PageStepRun
from apps.oncall.tasks import page_sweep_task
from opsportal.celery import app as celery_app
from tests.celery_worker import wait_until, worker_idle
from tests.factories import verified_contact_method
from tests.notify.conftest import WEBHOOK_SECRET

pytestmark = [pytest.mark.celery_worker]


@pytest.fixture(autouse=True)
def fast_minutes(settings):
    settings.WARROOM_ESCALATION_MINUTE_SECONDS = 1


@pytest.fixture
def step_outcomes():
    """(page, step, pass) -> what each page-step task returned, as the worker ran them."""
    outcomes: list[tuple[tuple, str]] = []
    lock = threading.Lock()

    def record(sender=None, args=None, retval=None, **kwargs):
        if sender is not None and sender.name == "warroom.page_step_task":
            with lock:
                outcomes.append((tuple(args), retval))

    task_postrun.connect(record, weak=False, dispatch_uid="tests.warroom.step_outcomes")
    yield outcomes
    task_postrun.disconnect(dispatch_uid="tests.warroom.step_outcomes")


@pytest.fixture
def paged_people(people, make_team, ops):
    alice, bob, carol = people("alice", "bob", "carol")
    for person in (alice, bob, carol):
        verified_contact_method(person, target=f"{person.username}@example.test")
    team = make_team(alice, bob, carol, lead=bob)
    return {"team": team, "alice": alice, "bob": bob, "carol": carol}


def _policy(api, team, steps, name="Launch chain"):
    response = api.post(
        "/v1/escalation-policies/", {"team": team.slug, "name": name, "steps": steps}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def _notify(person, label):
    return {"kind": "notify_user", "user": person.pk, "label": label}


def _trigger(api, team, policy_id, title="Payout queue stuck"):
    response = api.post(
        "/v1/pages/", {"team": team.slug, "title": title, "policy": policy_id}, format="json"
    )
    assert response.status_code == 201, response.content
    return Page.objects.get(pk=response.json()["id"])


def _runs(page) -> list[PageStepRun]:
    return list(PageStepRun.objects.filter(page=page).order_by("ran_at", "id"))


def _notified(page) -> list[str]:
    return list(
        OutboxMessage.objects.filter(event="warroom.page", payload__page_id=page.pk)
        .order_by("created_at")
        .values_list("contact_method__user__username", flat=True)
    )


def _settled(page, step_index: int) -> bool:
    """Step ``step_index`` ran and every message so far was delivered: the worker has
    nothing to do until the next step's time. Writes from the test thread happen only
    then, because with SQLite's in-memory database the worker shares its connection."""
    if not worker_idle():
        return False
    if not PageStepRun.objects.filter(page=page, step_index=step_index).exists():
        return False
    return (
        not OutboxMessage.objects.filter(payload__page_id=page.pk)
        .exclude(status=OutboxStatus.DELIVERED)
        .exists()
    ) and worker_idle()


def _status(page) -> str:
    return Page.objects.values_list("status", flat=True).get(pk=page.pk)


def test_page__nobody_acknowledges__steps_fire_in_order_at_their_times(
    celery_worker, paged_people, ops, verified_api_client
):
    api = verified_api_client(ops)
    team = paged_people["team"]
    policy = _policy(
        api,
        team,
        [
            _notify(paged_people["alice"], "L1"),
            {"kind": "wait", "wait_minutes": 1},
            _notify(paged_people["bob"], "L2"),
            {"kind": "wait", "wait_minutes": 2},
            _notify(paged_people["carol"], "L3"),
        ],
    )

    page = _trigger(api, team, policy["id"])

    wait_until(lambda: _status(page) == Page.Status.EXHAUSTED, timeout=30)
    runs = _runs(page)
    assert [(r.step_index, r.repeat) for r in runs] == [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0)]
    assert runs[2].ran_at - runs[1].ran_at >= timedelta(seconds=1)
    assert runs[4].ran_at - runs[3].ran_at >= timedelta(seconds=2)
    assert _notified(page) == ["alice", "bob", "carol"]
    names = list(
        AuditEvent.objects.filter(target_id=str(page.pk), name__startswith="page.")
        .order_by("id")
        .values_list("name", flat=True)
    )
    assert names == ["page.triggered", *["page.step_ran"] * 5, "page.exhausted"]


def test_page__acknowledged_at_step_2__step_3_never_fires(
    celery_worker, paged_people, ops, verified_api_client, step_outcomes
):
    api = verified_api_client(ops)
    bob_api = verified_api_client(paged_people["bob"])
    team = paged_people["team"]
    policy = _policy(
        api,
        team,
        [
            _notify(paged_people["alice"], "L1"),
            {"kind": "wait", "wait_minutes": 1},
            _notify(paged_people["bob"], "L2"),
            {"kind": "wait", "wait_minutes": 3},
            _notify(paged_people["carol"], "L3"),
        ],
    )
    page = _trigger(api, team, policy["id"])
    wait_until(lambda: _settled(page, 3))  # L2 told bob; the wait before L3 is running

    response = bob_api.post(f"/v1/pages/{page.pk}/acknowledge")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "acknowledged"
    # The task for the last notify step still arrives on time, finds the page
    # acknowledged and does nothing.
    wait_until(lambda: any(args[1] == 4 for args, _ in step_outcomes), timeout=30)
    assert [out for args, out in step_outcomes if args[1] == 4] == ["inactive"]
    assert _notified(page) == ["alice", "bob"]
    assert not PageStepRun.objects.filter(page=page, step_index=4).exists()
    page.refresh_from_db()
    assert page.acknowledged_by == paged_people["bob"]
    assert (
        AuditEvent.objects.get(name="page.acknowledged", target_id=str(page.pk)).data["via"]
        == "api"
    )


def test_page__policy_edited_while_running__page_keeps_its_snapshot(
    celery_worker, paged_people, ops, verified_api_client
):
    api = verified_api_client(ops)
    team = paged_people["team"]
    policy = _policy(
        api,
        team,
        [
            _notify(paged_people["alice"], "L1"),
            {"kind": "wait", "wait_minutes": 3},
            _notify(paged_people["bob"], "L2"),
        ],
    )
    page = _trigger(api, team, policy["id"])
    wait_until(lambda: _settled(page, 1))

    response = api.patch(
        f"/v1/escalation-policies/{policy['id']}",
        {"steps": [_notify(paged_people["carol"], "only carol")]},
        format="json",
    )

    assert response.status_code == 200, response.content
    wait_until(lambda: _status(page) == Page.Status.EXHAUSTED, timeout=30)
    assert _notified(page) == ["alice", "bob"]
    page.refresh_from_db()
    assert [s["label"] for s in page.steps] == ["L1", "", "L2"]


_last_sweep = [0.0]


def _beat_sweep() -> None:
    """Send the sweep task about once a second, as beat would (every 30 s in production)."""
    if time.monotonic() - _last_sweep[0] >= 1.0:
        _last_sweep[0] = time.monotonic()
        page_sweep_task.delay()


def _stop(worker) -> None:
    """Stop a running test worker the way Celery's own test harness does."""
    worker_state.should_terminate = 0
    wait_until(lambda: worker.blueprint.state == TERMINATE, timeout=30)
    worker_state.should_terminate = None


def test_page__worker_restarted_mid_page__no_step_skipped_or_doubled(
    celery_worker, paged_people, ops, verified_api_client, step_outcomes
):
    api = verified_api_client(ops)
    team = paged_people["team"]
    policy = _policy(
        api,
        team,
        [
            _notify(paged_people["alice"], "L1"),
            {"kind": "wait", "wait_minutes": 3},
            _notify(paged_people["bob"], "L2"),
            {"kind": "wait", "wait_minutes": 1},
            _notify(paged_people["carol"], "L3"),
        ],
    )
    page = _trigger(api, team, policy["id"])
    wait_until(lambda: _settled(page, 1))

    _stop(celery_worker)  # step 3 is due in three seconds, its task held by this worker
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        # Beat's sweep runs as in production: it re-queues a step whose task did not
        # survive the restart; a step whose task did survive is not run twice.
        wait_until(lambda: _beat_sweep() or _status(page) == Page.Status.EXHAUSTED, timeout=60)

    runs = _runs(page)
    assert [(r.step_index, r.repeat) for r in runs] == [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0)]
    assert _notified(page) == ["alice", "bob", "carol"]
    assert runs[2].ran_at - runs[1].ran_at >= timedelta(seconds=3)
    ran = [args for args, out in step_outcomes if out == "ran"]
    assert sorted(ran, key=lambda a: a[1]) == [(page.pk, i, 0) for i in range(5)]


def test_page__repeat_step__loops_the_given_number_of_times(
    celery_worker, paged_people, ops, verified_api_client
):
    api = verified_api_client(ops)
    team = paged_people["team"]
    policy = _policy(
        api,
        team,
        [
            _notify(paged_people["alice"], "L1"),
            {"kind": "wait", "wait_minutes": 1},
            {"kind": "repeat", "repeat_from": 1, "repeat_times": 2},
        ],
    )

    page = _trigger(api, team, policy["id"])

    wait_until(lambda: _status(page) == Page.Status.EXHAUSTED, timeout=30)
    assert [(r.step_index, r.repeat) for r in _runs(page)] == [
        (0, 0),
        (1, 0),
        (2, 0),
        (0, 1),
        (1, 1),
        (2, 1),
        (0, 2),
        (1, 2),
        (2, 2),
    ]
    assert _notified(page) == ["alice", "alice", "alice"]


def test_test_page__team_channel_on_loopback__arrives_signed(
    celery_worker, paged_people, make_receiver, ops, verified_api_client
):
    from apps.notify.services import channel_create
    from apps.oncall import services

    receiver = make_receiver()
    channel = channel_create(
        actor=ops,
        name="backend war room",
        kind="webhook",
        config={"url": f"{receiver.url}/hooks/warroom"},
        secret=WEBHOOK_SECRET,
    )
    team = paged_people["team"]
    services.team_update(actor=ops, team=team, channel=channel)

    response = verified_api_client(paged_people["bob"]).post(f"/v1/teams/{team.slug}/test-page")

    assert response.status_code == 201, response.content
    wait_until(lambda: receiver.accepted, timeout=30)
    (delivery,) = receiver.accepted
    assert verify_signature(
        WEBHOOK_SECRET, delivery.headers["X-OpsPortal-Signature"], delivery.body
    )
    assert delivery.headers["X-OpsPortal-Event"] == "warroom.page"
    body = delivery.json()
    assert body["payload"]["test"] is True and body["payload"]["team"] == team.slug
    assert "/warroom/pages/ack/" in body["payload"]["ack_url"]
    page = Page.objects.get(pk=response.json()["id"])
    wait_until(lambda: _status(page) == Page.Status.RESOLVED)
    assert page.is_test
    assert AuditEvent.objects.filter(name="page.test_sent", target_id=str(page.pk)).exists()


# --- reachability ---------------------------------------------------------------------------


def test_page__first_level_unreachable__next_level_paged_at_once_not_after_the_wait(
    celery_worker, people, make_team, ops, verified_api_client, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    alice, bob = people("alice", "bob")
    contact_method_create(actor=alice, kind="email", target="alice@example.test")  # unverified
    verified_contact_method(bob, target="bob@example.test")
    team = make_team(alice, bob, lead=bob)
    api = verified_api_client(ops)
    policy = _policy(
        api,
        team,
        [
            _notify(alice, "L1"),
            {"kind": "wait", "wait_minutes": 30},  # 30 s here: longer than this test waits
            _notify(bob, "L2"),
            {"kind": "wait", "wait_minutes": 30},
            _notify(alice, "L3"),
        ],
    )

    page = _trigger(api, team, policy["id"])

    # Step 2 ran and its message to Bob exists and was delivered (the step's run and its
    # outbox row are written by the worker one after the other: wait for both).
    wait_until(lambda: _settled(page, 2) and len(_notified(page)) >= 2, timeout=30)
    runs = _runs(page)
    assert [(r.step_index, r.outcome.get("skipped", False)) for r in runs[:3]] == [
        (0, False),
        (1, True),
        (2, False),
    ]
    assert runs[2].ran_at - runs[0].ran_at < timedelta(seconds=10)
    assert _notified(page) == ["alice", "bob"]  # the unverified address was still tried
    nobody = page.events.get(kind="nobody")
    assert nobody.message.startswith("Step 1 reached nobody: no verified contact method for")
    # Bob was reached, so the wait after his step holds: L3 is not paged yet.
    assert _status(page) == Page.Status.TRIGGERED
    assert not PageStepRun.objects.filter(page=page, step_index=4).exists()

    def delivered_to() -> set[str]:
        delivered = OutboxMessage.objects.filter(payload__page_id=page.pk, status="delivered")
        return set(delivered.values_list("contact_method__user__username", flat=True))

    # Delivery is the worker's next task after the step's commit: wait for it, not race it.
    wait_until(lambda: delivered_to() == {"alice", "bob"}, timeout=20)


def test_contact_method__test_delivered_by_the_worker__board_counts_the_shift_covered(
    celery_worker, people, make_team, make_schedule, make_layer, verified_client, settings
):
    from datetime import date, time

    from django.urls import reverse

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    (alice,) = people("alice")
    method = contact_method_create(actor=alice, kind="email", target="alice@example.test")
    team = make_team(alice, slug="covered")
    make_layer(
        make_schedule(team, tz="UTC"),
        [alice],
        handoff=time(0, 0),
        start_date=date.today() - timedelta(days=1),
    )
    client = verified_client(alice)

    def board() -> str:
        html = client.get("/warroom/").content.decode()
        return html.split('id="team-covered"', 1)[1].split("</section>", 1)[0]

    before = board()
    client.post(reverse("notify:contact_method_test", args=[method.pk]))
    wait_until(
        lambda: OutboxMessage.objects.filter(
            contact_method=method, status=OutboxStatus.DELIVERED
        ).exists()
    )

    assert "no verified contact method" in before
    assert "Covered for the next 14 days" not in before
    after = board()
    assert "no verified contact method" not in after
    assert "Covered for the next 14 days" in after


def test_page__wait_longer_than_a_task_may_wait_in_the_broker__hops_and_runs_on_time(
    celery_worker, paged_people, ops, verified_api_client, step_outcomes, settings
):
    settings.CELERY_MAX_ETA_SECONDS = 1  # production: half the Redis visibility timeout
    api = verified_api_client(ops)
    team = paged_people["team"]
    policy = _policy(
        api,
        team,
        [
            _notify(paged_people["alice"], "L1"),
            {"kind": "wait", "wait_minutes": 3},
            _notify(paged_people["bob"], "L2"),
        ],
    )

    page = _trigger(api, team, policy["id"])

    wait_until(lambda: _status(page) == Page.Status.EXHAUSTED, timeout=30)
    runs = _runs(page)
    assert runs[2].ran_at - runs[1].ran_at >= timedelta(seconds=3)
    third = [out for args, out in step_outcomes if args[1] == 2]
    assert third.count("ran") == 1 and third.count("early") >= 2, third
    assert _notified(page) == ["alice", "bob"]
