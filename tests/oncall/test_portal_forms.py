"""The portal's edit forms: escalation policies (steps formset), layers and schedules."""

from __future__ import annotations

from datetime import date, time

import pytest

from apps.oncall.models import EscalationPolicy, LayerVersion
from tests.oncall import oncall_fixtures
from tests.oncall.oncall_fixtures import LAYER

pytestmark = pytest.mark.django_db

setup = oncall_fixtures.setup


def _steps(*rows) -> dict:
    data = {
        "steps-TOTAL_FORMS": str(len(rows)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "30",
    }
    for number, row in enumerate(rows):
        for key, value in row.items():
            data[f"steps-{number}-{key}"] = value
    return data


def test_policy_new_page__steps_in_rows__policy_saved_in_order(
    people, make_team, make_schedule, ops, verified_client
):
    alice, arch = people("alice", "arch")
    team = make_team(alice, lead=alice, slug="forms-team")
    primary = make_schedule(team)
    client = verified_client(ops)
    assert client.get("/warroom/teams/forms-team/policies/new").status_code == 200

    response = client.post(
        "/warroom/teams/forms-team/policies/new",
        {
            "name": "Launch chain",
            "description": "L1-L3",
            **_steps(
                {"kind": "notify_schedule", "schedule": primary.pk, "label": "L1"},
                {"kind": "wait", "wait_minutes": "30"},
                {"kind": ""},  # an empty row is dropped
                {"kind": "notify_user", "user": arch.pk, "label": "L3"},
            ),
        },
    )

    policy = EscalationPolicy.objects.get(name="Launch chain")
    assert response.status_code == 302
    assert [(s.position, s.kind, s.label) for s in policy.steps.all()] == [
        (1, "notify_schedule", "L1"),
        (2, "wait", ""),
        (3, "notify_user", "L3"),
    ]
    detail = client.get(f"/warroom/policies/{policy.pk}/").content.decode()
    assert "L3" in detail and "30 min" in detail


def test_policy_edit_page__wait_over_a_day__refused_and_unchanged(
    people, make_team, ops, verified_client
):
    (alice,) = people("alice")
    team = make_team(alice, slug="forms-team2")
    from apps.oncall import services

    policy = services.policy_create(
        actor=ops, team=team, name="Chain", steps=[{"kind": "notify_team_lead"}]
    )

    response = verified_client(ops).post(
        f"/warroom/policies/{policy.pk}/edit",
        {
            "name": "Chain",
            **_steps({"kind": "notify_team_lead"}, {"kind": "wait", "wait_minutes": "2000"}),
        },
    )

    assert response.status_code == 400
    assert "1440" in response.content.decode()
    assert policy.steps.count() == 1


def test_policy_new_page__bad_step_fields__every_error_by_its_field_and_summarised(
    people, make_team, ops, verified_client
):
    (alice,) = people("alice")
    make_team(alice, slug="forms-team3")

    response = verified_client(ops).post(
        "/warroom/teams/forms-team3/policies/new",
        {
            "name": "Broken",
            **_steps(
                {"kind": "notify_schedule", "schedule": "999999"},
                {"kind": "notify_user", "user": "not-a-person"},
                {"kind": "repeat", "repeat_from": "first", "repeat_times": "twice"},
                {"kind": "teleport"},
            ),
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    formset = response.context["formset"]
    for row, field in [
        (0, "schedule"),
        (1, "user"),
        (2, "repeat_from"),
        (2, "repeat_times"),
        (3, "kind"),
    ]:
        assert formset.forms[row].errors[field], (row, field)
        # next to its field: the error list the field's aria-describedby names
        assert f'id="id_steps-{row}-{field}_error"' in html, (row, field)
        assert f'aria-describedby="id_steps-{row}-{field}_error"' in html, (row, field)
        # and in the summary at the top, linking to the field
        assert f'href="#id_steps-{row}-{field}"' in html, (row, field)
    assert html.index('class="error-summary"') < html.index("<table")
    assert not EscalationPolicy.objects.filter(name="Broken").exists()


def test_policy_new_page__name_missing_and_a_step_incomplete__both_shown_at_once(
    people, make_team, ops, verified_client
):
    (alice,) = people("alice")
    make_team(alice, slug="forms-team5")

    response = verified_client(ops).post(
        "/warroom/teams/forms-team5/policies/new",
        {
            "name": "",
            **_steps({"kind": "notify_schedule"}, {"kind": "wait", "wait_minutes": "5000"}),
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_name_error"' in html
    assert 'id="id_steps-0-schedule_error"' in html
    assert 'id="id_steps-1-wait_minutes_error"' in html and "1440" in html


def test_policy_new_page__steps_the_service_refuses__message_shown(
    people, make_team, ops, verified_client
):
    (alice,) = people("alice")
    make_team(alice, slug="forms-team4")

    response = verified_client(ops).post(
        "/warroom/teams/forms-team4/policies/new",
        {"name": "Only waits", **_steps({"kind": "wait", "wait_minutes": "5"})},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "must notify someone" in html
    assert html.index("must notify someone") < html.index("<table")
    assert not EscalationPolicy.objects.filter(name="Only waits").exists()


def test_layer_edit_page__new_participants__new_version_from_now(
    people, make_team, make_schedule, make_layer, ops, verified_client
):
    alice, bob = people("alice", "bob")
    team = make_team(alice, bob)
    schedule = make_schedule(team)
    layer = make_layer(schedule, [alice], start_date=date(2027, 1, 1))
    client = verified_client(ops)
    assert "alice" in client.get(f"/warroom/layers/{layer.pk}/edit").content.decode()

    response = client.post(
        f"/warroom/layers/{layer.pk}/edit",
        {
            "name": "Layer",
            "priority": 1,
            "shift_kind": "daily",
            "shift_length": 1,
            "handoff_time": "09:00",
            "days_of_week": [0, 1, 2, 3, 4, 5, 6],
            "start_date": "2027-01-01",
            "participants": "bob, alice",
        },
    )

    assert response.status_code == 302
    versions = list(LayerVersion.objects.filter(layer=layer).order_by("effective_from"))
    assert len(versions) == 2
    assert [p.user.username for p in versions[1].participants.all()] == ["bob", "alice"]


def test_schedule_edit_page__new_timezone__running_layers_follow_from_now(
    people, make_team, make_schedule, make_layer, ops, verified_client
):
    (alice,) = people("alice")
    schedule = make_schedule(make_team(alice), tz="Europe/Warsaw")
    layer = make_layer(schedule, [alice], handoff=time(9, 0))

    response = verified_client(ops).post(
        f"/warroom/schedules/{schedule.pk}/edit", {"name": "Renamed", "timezone": "Asia/Jakarta"}
    )

    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.timezone == "Asia/Jakarta" and schedule.name == "Renamed"
    zones = list(
        LayerVersion.objects.filter(layer=layer)
        .order_by("effective_from")
        .values_list("timezone", flat=True)
    )
    assert zones == ["Europe/Warsaw", "Asia/Jakarta"]


def test_launch_chain_page__architect_and_cto__runbook_l1_to_l4_policy(
    people, make_team, make_schedule, ops, verified_client
):
    alice, arch, cto = people("alice", "arch", "cto")
    team = make_team(alice, lead=alice, slug="chain-team")
    make_schedule(team, kind="primary")
    make_schedule(team, kind="backup")

    response = verified_client(ops).post(
        "/warroom/teams/chain-team/policies/launch-chain",
        {"launch-architect": arch.pk, "launch-cto": cto.pk},
    )

    assert response.status_code == 302
    policy = EscalationPolicy.objects.get(team=team)
    steps = [(s.kind, s.label, s.wait_minutes) for s in policy.steps.all()]
    assert steps == [
        ("notify_schedule", "L1 on-call", None),
        ("wait", "", 30),
        ("notify_schedule", "L2 backup", None),
        ("notify_team_lead", "L2 team lead", None),
        ("wait", "", 60),
        ("notify_user", "L3 architect", None),
        ("wait", "", 120),
        ("notify_user", "L4 CTO", None),
    ]
    assert policy.steps.get(label="L4 CTO").user == cto


@pytest.mark.parametrize(
    "model",
    ["team", "schedule", "rotationlayer", "override", "escalationpolicy", "page", "calendarfeed"],
)
def test_admin__oncall_changelists__open_for_super_admin(model, make_user, verified_client):
    admin = make_user("super_admin", username="back-office", is_staff=True)

    response = verified_client(admin).get(f"/admin/oncall/{model}/")

    assert response.status_code == 200


def test_admin__old_warroom_address__redirects_to_oncall(make_user, verified_client):
    admin = make_user("super_admin", username="back-office-old", is_staff=True)

    response = verified_client(admin).get("/admin/warroom/schedule/?q=ops")

    assert response.status_code == 302
    assert response["Location"] == "/admin/oncall/schedule/?q=ops"


def test_layer_form_page__shift_length_zero__form_error_shown(setup, ops, verified_client):
    client = verified_client(ops)

    response = client.post(
        f"/warroom/schedules/{setup['schedule'].pk}/layers/new",
        {
            **LAYER,
            "priority": 1,
            "shift_length": 0,
            "days_of_week": [0, 1, 2, 3, 4, 5, 6],
            "participants": "alice",
        },
    )

    assert response.status_code == 400
    assert "at least 1" in response.content.decode()
    assert not LayerVersion.objects.exists()
