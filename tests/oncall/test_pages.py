"""Pages step by step (without a worker), acknowledgement doors, and the portal pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.oncall import services
from apps.oncall.models import Page, PageEvent, PageStepRun
from tests.factories import verified_contact_method

pytestmark = pytest.mark.django_db


@pytest.fixture
def paging(people, make_team, ops):
    alice, bob = people("alice", "bob")
    for person in (alice, bob):
        verified_contact_method(person, target=f"{person.username}@example.test")
    team = make_team(alice, bob, lead=alice, slug="backend-x")
    policy = services.policy_create(
        actor=ops,
        team=team,
        name="L1-L2",
        steps=[
            {"kind": "notify_user", "user": alice.pk, "label": "L1"},
            {"kind": "wait", "wait_minutes": 30},
            {"kind": "notify_team_lead", "label": "L2"},
        ],
    )
    return {"team": team, "policy": policy, "alice": alice, "bob": bob}


def test_page_trigger__from_team_page__snapshot_taken_and_first_step_queued(
    paging, ops, verified_client, django_capture_on_commit_callbacks
):
    client = verified_client(ops)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/warroom/teams/backend-x/page",
            {"title": "Indexer lag 20 min", "policy": paging["policy"].pk},
        )

    page = Page.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/warroom/pages/{page.pk}/"
    assert page.status == Page.Status.TRIGGERED and page.created_by == ops
    assert [s["kind"] for s in page.steps] == ["notify_user", "wait", "notify_team_lead"]
    assert page.policy_snapshot["policy_name"] == "L1-L2"
    assert len(callbacks) == 1  # the first step's task, sent once the page is committed
    assert AuditEvent.objects.get(name="page.triggered").actor == ops


def test_page_step_run__same_step_delivered_twice__runs_once(paging, ops):
    page = services.page_trigger(actor=ops, team=paging["team"], title="Stuck payouts")

    first = services.page_step_run(page_id=page.pk, step_index=0, repeat=0)
    duplicate = services.page_step_run(page_id=page.pk, step_index=0, repeat=0)
    Page.objects.filter(pk=page.pk).update(current_step=0)  # as if the page forgot it ran
    replay = services.page_step_run(page_id=page.pk, step_index=0, repeat=0)

    assert (first, duplicate, replay) == ("ran", "stale", "done")
    assert PageStepRun.objects.filter(page=page).count() == 1
    assert PageEvent.objects.filter(page=page, kind=PageEvent.Kind.NOTIFIED).count() == 1


def test_page_step_run__wait_step__next_step_due_after_the_wait(paging, ops, settings):
    settings.WARROOM_ESCALATION_MINUTE_SECONDS = 60
    page = services.page_trigger(actor=ops, team=paging["team"], title="Stuck payouts")
    services.page_step_run(page_id=page.pk, step_index=0, repeat=0)

    services.page_step_run(page_id=page.pk, step_index=1, repeat=0)
    early = services.page_step_run(page_id=page.pk, step_index=2, repeat=0)

    page.refresh_from_db()
    assert early == "early"
    assert page.current_step == 2
    assert page.next_run_at - timezone.now() > timedelta(minutes=29)
    with time_machine.travel(timezone.now() + timedelta(minutes=35)):
        assert services.page_sweep() == [(page.pk, 2, 0)]
        assert services.page_step_run(page_id=page.pk, step_index=2, repeat=0) == "ran"
    page.refresh_from_db()
    assert page.status == Page.Status.EXHAUSTED


def test_page_ack_link__anonymous__sent_to_login_nothing_changes(paging, ops, client):
    page = services.page_trigger(actor=ops, team=paging["team"], title="Stuck payouts")

    response = client.get(f"/warroom/pages/ack/{page.ack_token}/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    page.refresh_from_db()
    assert page.status == Page.Status.TRIGGERED


def test_page_ack_link__verified_person__acknowledged_and_steps_stop(paging, ops, verified_client):
    page = services.page_trigger(actor=ops, team=paging["team"], title="Stuck payouts")
    services.page_step_run(page_id=page.pk, step_index=0, repeat=0)

    response = verified_client(paging["bob"]).get(f"/warroom/pages/ack/{page.ack_token}/")

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.status == Page.Status.ACKNOWLEDGED and page.acknowledged_by == paging["bob"]
    assert services.page_step_run(page_id=page.pk, step_index=1, repeat=0) == "inactive"
    event = AuditEvent.objects.get(name="page.acknowledged")
    assert event.actor == paging["bob"] and event.data["via"] == "link"


def test_page_ack_link__unknown_token__404(verified_client, paging):
    assert verified_client(paging["bob"]).get("/warroom/pages/ack/not-a-token/").status_code == 404


def test_page_acknowledge_and_resolve__from_portal__recorded(paging, ops, verified_client):
    page = services.page_trigger(actor=ops, team=paging["team"], title="Stuck payouts")
    client = verified_client(paging["alice"])

    client.post(f"/warroom/pages/{page.pk}/acknowledge")
    client.post(f"/warroom/pages/{page.pk}/resolve", {"note": "restarted the indexer"})

    page.refresh_from_db()
    assert page.status == Page.Status.RESOLVED
    kinds = list(page.events.values_list("kind", flat=True))
    assert kinds == ["triggered", "acknowledged", "resolved"]
    detail = client.get(f"/warroom/pages/{page.pk}/").content.decode()
    assert "restarted the indexer" in detail


def test_page_list__filters_and_paginates(paging, ops, verified_client):
    for number in range(30):
        services.page_trigger(actor=ops, team=paging["team"], title=f"Alert {number}")

    response = verified_client(paging["bob"]).get("/warroom/pages/", {"team": "backend-x"})

    assert response.status_code == 200
    assert response.content.decode().count("/warroom/pages/") >= 25
    assert "Page 1 of 2" in response.content.decode()


def test_team_page__lead_sees_test_page_button_member_does_not(paging, verified_client):
    lead_view = verified_client(paging["alice"]).get("/warroom/teams/backend-x/").content.decode()

    assert "Send test page" in lead_view


def test_team_page__member_without_grant__no_test_page_and_refused(paging, client):
    from tests.conftest import verify_session

    verify_session(client, paging["bob"])

    assert "Send test page" not in client.get("/warroom/teams/backend-x/").content.decode()
    assert client.post("/warroom/teams/backend-x/test-page").status_code == 403
    assert not Page.objects.exists()


def test_board__shows_who_is_on_call_and_gaps(
    people, make_team, make_schedule, make_layer, verified_client
):
    alice, bob = people("alice", "bob")
    team = make_team(alice, bob, slug="board-team")
    make_layer(
        make_schedule(team, tz="UTC"),
        [alice],
        start_date=date.today() - timedelta(days=1),
        handoff=time(0, 0),
    )
    make_schedule(team, kind="backup", tz="UTC")  # nobody on it: a gap

    html = verified_client(bob).get("/warroom/").content.decode()

    section = html.split('id="team-board-team"', 1)[1].split("</section>", 1)[0]
    assert "alice" in section
    assert "nobody" in section
    assert "gap" in section


# --- what people read on the pages ------------------------------------------------------------


def test_page_detail__timeline__a_24_hour_time_with_seconds_and_step_labels(
    paging, ops, verified_client
):
    with time_machine.travel(datetime(2027, 3, 1, 7, 5, 42, tzinfo=UTC), tick=False):
        page = services.page_trigger(
            actor=ops, team=paging["team"], title="Indexer lag", policy=paging["policy"]
        )

    html = verified_client(ops).get(f"/warroom/pages/{page.pk}/").content.decode()

    assert "07:05:42" in html
    assert "a.m.:" not in html and "p.m.:" not in html
    assert "Notify a person" in html and "Notify the team lead" in html
    assert "notify_user" not in html and "notify_team_lead" not in html
    assert "30 min" in html


def test_schedule_page__one_week_shifts__singular_and_day_names(
    ops, make_team, make_schedule, make_layer, people, verified_client
):
    (alice,) = people("alice")
    schedule = make_schedule(make_team(alice))
    make_layer(schedule, [alice], shift_kind="weekly", shift_length=1, days=[0, 1, 2, 3, 4])

    html = verified_client(ops).get(f"/warroom/schedules/{schedule.pk}/").content.decode()

    assert "1 week<" in html and "1 weeks" not in html
    assert "Mon, Tue, Wed, Thu, Fri" in html
