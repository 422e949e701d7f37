""" "Covered" means reachable: the board, the coverage API and the gap notice count a shift
only when its person has a verified contact method; the board's "Until" is the end of the
current shift; an escalation step that reached nobody does not wait; a page lists its
deliveries."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation

from apps.audit.models import AuditEvent
from apps.notify.models import ContactMethod, OutboxMessage, OutboxStatus
from apps.notify.services import contact_method_create, outbox_deliver
from apps.oncall import services
from apps.oncall.models import Page, PageEvent, PageStepRun
from apps.oncall.tasks import coverage_gaps_task
from tests.factories import verified_contact_method
from tests.oncall import oncall_fixtures
from tests.oncall.conftest import utc
from tests.oncall.oncall_fixtures import WEDNESDAY_NOON

pytestmark = pytest.mark.django_db

rota = oncall_fixtures.board_rota


def _shown(value) -> str:
    with timezone.override("UTC"), translation.override("en"):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _board_section(client, slug: str) -> str:
    html = client.get("/warroom/").content.decode()
    return html.split(f'id="team-{slug}"', 1)[1].split("</section>", 1)[0]


def _row(section: str, kind: str) -> str:
    return section.split(f'data-kind="{kind}"', 1)[1].split("</tr>", 1)[0]


# --- the board's "Until" ------------------------------------------------------------------


def test_board__one_person_rotas__until_is_the_end_of_the_current_shift(rota, verified_client):
    verified_contact_method(rota["alice"])
    verified_contact_method(rota["bob"])
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        section = _board_section(verified_client(rota["alice"]), "payments")

    # One person holds every shift, so the final schedule is one endless stretch; the
    # board still ends the row at the next handoff, never at its look-ahead window.
    assert _shown(utc(2027, 6, 3, 9)) in _row(section, "primary")
    assert _shown(utc(2027, 6, 7, 9)) in _row(section, "backup")
    assert _shown(WEDNESDAY_NOON + timedelta(days=15)) not in section


# --- covered means reachable --------------------------------------------------------------


def test_board__on_call_without_verified_method__warned_until_a_test_message_arrives(
    rota, verified_client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    verified_contact_method(rota["alice"])
    method = contact_method_create(actor=rota["bob"], kind="email", target="bob@example.test")
    with time_machine.travel(WEDNESDAY_NOON, tick=True):
        bob_client = verified_client(rota["bob"])
        before = _board_section(bob_client, "payments")
        with django_capture_on_commit_callbacks(execute=False):
            bob_client.post(reverse("notify:contact_method_test", args=[method.pk]))
        outbox_deliver(message_id=OutboxMessage.objects.get(contact_method=method).pk)
        after = _board_section(bob_client, "payments")

    assert "no verified contact method" in _row(before, "backup")
    assert "no verified contact method" not in _row(before, "primary")
    assert "without a verified contact method" in before
    assert "Covered for the next 14 days" not in before
    assert mail.outbox[0].to == ["bob@example.test"]
    assert ContactMethod.objects.get(pk=method.pk).verified_at is not None
    assert "no verified contact method" not in after
    assert "Covered for the next 14 days" in after


def test_schedule_page__person_unverified__unreachable_listed_with_the_gaps(rota, verified_client):
    contact_method_create(actor=rota["bob"], kind="email", target="bob@example.test")

    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        html = verified_client(rota["alice"]).get(
            reverse("warroom:schedule_detail", args=[rota["backup"].pk])
        )

    body = html.content.decode()
    assert html.status_code == 200
    assert "bob has no verified contact method" in body
    assert "someone reachable is on call at every moment" not in body


def test_coverage_gaps_task__on_call_person_unreachable__lead_told_like_a_gap(rota):
    verified_contact_method(rota["alice"])  # the lead, reachable and on the primary

    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        assert coverage_gaps_task() == 1  # the backup: bob cannot be reached
        coverage_gaps_task()  # again the same day: nothing new

    (notice,) = OutboxMessage.objects.filter(event="warroom.coverage_gaps")
    assert notice.contact_method.user == rota["alice"]
    assert notice.payload["schedule"] == rota["backup"].pk
    assert notice.payload["gaps"] == []
    assert [u[2] for u in notice.payload["unreachable"]] == [rota["bob"].pk]
    assert "without a verified contact method" in notice.body and "bob" in notice.body


# --- escalation moves on when nobody was reached ------------------------------------------


@pytest.fixture
def chain(rota, ops):
    policy = services.policy_create(
        actor=ops,
        team=rota["team"],
        name="L1-L2",
        steps=[
            {"kind": "notify_schedule", "schedule": rota["primary"].pk, "label": "L1"},
            {"kind": "wait", "wait_minutes": 30},
            {"kind": "notify_schedule", "schedule": rota["backup"].pk, "label": "L2"},
            {"kind": "wait", "wait_minutes": 30},
            {"kind": "notify_team_lead", "label": "L3"},
        ],
    )
    return {**rota, "policy": policy}


def test_page_step__on_call_person_unverified__recorded_and_the_wait_skipped(chain, ops, settings):
    settings.WARROOM_ESCALATION_MINUTE_SECONDS = 60
    contact_method_create(actor=chain["alice"], kind="email", target="alice@example.test")
    verified_contact_method(chain["bob"])

    with time_machine.travel(WEDNESDAY_NOON, tick=True):
        page = services.page_trigger(actor=ops, team=chain["team"], title="Payouts stuck")
        outcomes = [
            services.page_step_run(page_id=page.pk, step_index=index, repeat=0)
            for index in range(3)
        ]
        page.refresh_from_db()

    assert outcomes == ["ran", "ran", "ran"]  # no "early": the wait did not hold step 3
    nobody = PageEvent.objects.get(page=page, kind=PageEvent.Kind.NOBODY)
    assert nobody.step_index == 0
    assert nobody.message.startswith("Step 1 reached nobody: no verified contact method")
    assert "alice" in nobody.message
    skipped = PageStepRun.objects.get(page=page, step_index=1)
    assert skipped.outcome == {"wait_minutes": 30, "skipped": True}
    assert "Not waiting 30 min" in PageEvent.objects.get(page=page, step_index=1).message
    # The unverified address was still written to, and the backup was told at once.
    assert list(
        OutboxMessage.objects.filter(payload__page_id=page.pk)
        .order_by("created_at")
        .values_list("contact_method__user__username", flat=True)
    ) == ["alice", "bob"]
    # Bob was reached: the wait after his step holds the page as usual.
    assert page.current_step == 3
    with time_machine.travel(WEDNESDAY_NOON + timedelta(seconds=5), tick=False):
        assert services.page_step_run(page_id=page.pk, step_index=3, repeat=0) == "ran"
        page.refresh_from_db()
    assert page.next_run_at - (WEDNESDAY_NOON + timedelta(seconds=5)) == timedelta(minutes=30)
    step_ran = AuditEvent.objects.filter(name="page.step_ran", target_id=str(page.pk))
    assert step_ran.get(data__step=1).data["outcome"]["reached"] == 0


def test_page_step__wait_before_any_notification__kept_as_a_deliberate_delay(rota, ops, settings):
    settings.WARROOM_ESCALATION_MINUTE_SECONDS = 60
    policy = services.policy_create(
        actor=ops,
        team=rota["team"],
        name="Grace first",
        steps=[
            {"kind": "wait", "wait_minutes": 5},
            {"kind": "notify_schedule", "schedule": rota["primary"].pk, "label": "L1"},
        ],
    )
    page = services.page_trigger(actor=ops, team=rota["team"], title="Flapping", policy=policy)

    services.page_step_run(page_id=page.pk, step_index=0, repeat=0)

    assert services.page_step_run(page_id=page.pk, step_index=1, repeat=0) == "early"
    assert PageStepRun.objects.get(page=page, step_index=0).outcome == {"wait_minutes": 5}


def test_page_detail__deliveries_listed_with_their_status(chain, ops, verified_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    contact_method_create(actor=chain["alice"], kind="email", target="alice@example.test")
    verified_contact_method(chain["bob"])
    with time_machine.travel(WEDNESDAY_NOON, tick=True):
        page = services.page_trigger(actor=ops, team=chain["team"], title="Payouts stuck")
        for index in range(3):
            services.page_step_run(page_id=page.pk, step_index=index, repeat=0)
        bob_message = OutboxMessage.objects.get(
            payload__page_id=page.pk, contact_method__user=chain["bob"]
        )
        outbox_deliver(message_id=bob_message.pk)

    html = verified_client(chain["bob"]).get(reverse("warroom:page_detail", args=[page.pk]))

    deliveries = html.content.decode().split('id="deliveries"', 1)[1].split("</section>", 1)[0]
    rows = deliveries.split("<tr data-status=")[1:]
    assert len(rows) == 2
    assert rows[0].startswith('"pending"') and "alice" in rows[0] and "unverified" in rows[0]
    assert rows[1].startswith('"delivered"') and "bob" in rows[1]
    assert "bob@example.test" not in deliveries and "alice@example.test" not in deliveries
    assert OutboxMessage.objects.get(pk=bob_message.pk).status == OutboxStatus.DELIVERED
    assert Page.objects.get(pk=page.pk).status == Page.Status.TRIGGERED
