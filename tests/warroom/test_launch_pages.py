"""Launch-plan pages: list, create and edit (T0 in the viewer's time zone), the timeline
with quick status changes (htmx), the countdown (constant query count), the war-room log
and the read-only admin."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib import admin
from django.test import RequestFactory

from apps.warroom import services
from apps.warroom.models import ChecklistTemplate, LaunchLogEntry, LaunchPlan, LaunchTask
from tests.factories import ServiceAccountFactory
from tests.warroom import launch_fixtures
from tests.warroom.launch_fixtures import T0

pytestmark = pytest.mark.django_db

# The launch fixtures, shared by the test_launch_* modules.
commander = launch_fixtures.commander
make_plan = launch_fixtures.make_plan
make_task = launch_fixtures.make_task

D, H, M = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ic_client(commander, verified_client):
    return verified_client(commander)


# --- list, create, edit -------------------------------------------------------------------------


def test_launch_list__shows_plans_paginated_with_counts(make_plan, ic_client):
    for number in range(27):
        make_plan(name=f"Launch {number:02d}", t0=T0 + number * D)

    first = ic_client.get("/warroom/launches/")
    second = ic_client.get("/warroom/launches/?page=2")

    assert first.status_code == 200 and second.status_code == 200
    assert "Launch 26" in first.content.decode()  # newest T0 first
    assert "Launch 00" in second.content.decode()
    assert "New launch plan" in first.content.decode()
    assert "Page 1 of 2" in first.content.decode()


def test_launch_list__support__sees_no_create_button(make_plan, make_user, verified_client):
    make_plan()

    page = verified_client(make_user("support")).get("/warroom/launches/").content.decode()

    assert "Club go-live" in page and "New launch plan" not in page


def test_launch_new__t0_in_viewer_timezone__stored_utc_and_template_seeded(
    make_user, verified_client
):
    ops = make_user("ops", timezone="Europe/Warsaw")

    response = verified_client(ops).post(
        "/warroom/launches/new",
        {
            "plan-name": "Spring go-live",
            # 11:00 in Warsaw on the first summer-time day is 09:00 UTC.
            "plan-t0": "2027-03-28T11:00",
            "plan-description": "",
            "plan-from_template": "on",
        },
    )

    plan = LaunchPlan.objects.get(name="Spring go-live")
    assert response.status_code == 302
    assert response["Location"] == f"/warroom/launches/{plan.pk}/"
    assert plan.t0 == T0
    assert plan.created_by == ops
    assert plan.tasks.count() > 30 and plan.rollback_criteria.count() == 5


def test_launch_new__t0_missing__field_error_nothing_written(make_user, verified_client):
    response = verified_client(make_user("ops")).post(
        "/warroom/launches/new", {"plan-name": "No T0", "plan-t0": ""}
    )

    assert response.status_code == 400
    assert "Give T0, the planned start time." in response.content.decode()
    assert not LaunchPlan.objects.exists()


def test_launch_edit__t0_moved__due_times_follow_and_log_entry(make_plan, make_task, ic_client):
    plan = make_plan()
    task = make_task(plan, offset=-2 * H)

    response = ic_client.post(
        f"/warroom/launches/{plan.pk}/edit",
        {
            "plan-name": plan.name,
            "plan-t0": "2027-03-29T09:00",  # the IC's time zone is UTC (the default)
            "plan-description": "",
            "plan-reason": "Partner not ready",
        },
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.offset == -2 * H
    assert task.due_at == T0 + D - 2 * H
    assert (
        LaunchLogEntry.objects.filter(plan=plan, kind="decision")
        .get()
        .text.endswith("Reason: Partner not ready")
    )


# --- the timeline ---------------------------------------------------------------------------------


def test_launch_detail__tasks_grouped_by_phase_ordered_by_offset_in_viewer_tz(
    make_plan, make_user, verified_client
):
    plan = make_plan(template=True)
    viewer = make_user("support", timezone="Asia/Jakarta")

    page = verified_client(viewer).get(f"/warroom/launches/{plan.pk}/").content.decode()

    phases = re.findall(r'data-phase="(\w+)"', page)
    assert phases == ["preflight", "pilot", "canary", "full_go_live"]
    canary = page[page.index('data-phase="canary"') : page.index('data-phase="full_go_live"')]
    shown = re.findall(r"<strong>(T[^<]*)</strong>", canary)
    assert shown == sorted(
        shown, key=["T-7 d", "T-3 d", "T-1 d", "T-2 h", "T-30 min"].index
    ) and set(shown) == {"T-7 d", "T-3 d", "T-1 d", "T-2 h", "T-30 min"}
    # T0 09:00 UTC is 16:00 in Jakarta; the T-2 h tasks are due at 14:00 there.
    assert "Asia/Jakarta" in page
    assert 'datetime="2027-03-28T14:00:00+07:00"' in page
    assert "p95 pass-through &gt; 30 min in 2 windows in a row" in page
    # A support person owns nothing here: no quick status forms.
    assert "task-status" not in page


def test_launch_task_status__htmx_quick_change__row_returned_and_recorded(
    make_plan, make_task, commander, ic_client
):
    plan = make_plan()
    task = make_task(plan)

    response = ic_client.post(
        f"/warroom/launch-tasks/{task.pk}/status",
        {f"task-{task.pk}-status": "done", f"task-{task.pk}-note": "War room open"},
        **HTMX,
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(f'<tr id="task-{task.pk}"') and 'data-status="done"' in body
    task.refresh_from_db()
    assert (task.status, task.status_changed_by, task.note) == ("done", commander, "War room open")
    assert LaunchLogEntry.objects.filter(task=task, kind="event").exists()


def test_launch_task_status__blocked_without_note__row_error_nothing_written(
    make_plan, make_task, ic_client
):
    task = make_task(make_plan())

    response = ic_client.post(
        f"/warroom/launch-tasks/{task.pk}/status",
        {f"task-{task.pk}-status": "blocked", f"task-{task.pk}-note": ""},
        **HTMX,
    )

    assert response.status_code == 400
    assert "Say why the task is Blocked." in response.content.decode()
    task.refresh_from_db()
    assert task.status == "todo"


def test_launch_task_status__owner_may_stranger_refused(
    make_plan, make_task, make_user, verified_client
):
    owner, stranger = make_user("finance"), make_user("finance")
    task = make_task(make_plan(), owner=owner)
    data = {f"task-{task.pk}-status": "in_progress"}

    refused = verified_client(stranger).post(f"/warroom/launch-tasks/{task.pk}/status", data)
    task.refresh_from_db()
    assert refused.status_code == 403 and task.status == "todo"

    detail = verified_client(owner).get(f"/warroom/launches/{task.plan_id}/").content.decode()
    assert "task-status" in detail
    allowed = verified_client(owner).post(f"/warroom/launch-tasks/{task.pk}/status", data)
    task.refresh_from_db()
    assert allowed.status_code == 302 and task.status_changed_by == owner


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"task-offset": "T-2"}, "is not an offset from T0"),
        ({"task-offset": "soon"}, "is not an offset from T0"),
        ({"task-offset": ""}, "Give the offset from T0."),
        ({"task-title": ""}, "This field is required."),
        ({"task-owner": "SERVICE"}, "Choose a person, not a service account."),
    ],
)
def test_launch_task_new__bad_input__field_error_nothing_written(
    make_plan, ic_client, fields, message
):
    plan = make_plan()
    data = {
        "task-phase": plan.phases.get(kind="canary").pk,
        "task-title": "Open the war room",
        "task-offset": "T-2 h",
    }
    data.update(fields)
    if data.get("task-owner") == "SERVICE":
        data["task-owner"] = ServiceAccountFactory().pk

    response = ic_client.post(f"/warroom/launches/{plan.pk}/tasks/new", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not plan.tasks.exists()


def test_launch_task_new__valid__saved_with_offset_and_unit(make_plan, make_user, ic_client):
    plan = make_plan()
    owner = make_user("ops")

    response = ic_client.post(
        f"/warroom/launches/{plan.pk}/tasks/new",
        {
            "task-phase": plan.phases.get(kind="full_go_live").pk,
            "task-title": "Daily report",
            "task-offset": "T+24 h",
            "task-owner": owner.pk,
        },
    )

    assert response.status_code == 302
    task = plan.tasks.get()
    assert (task.offset, task.offset_label, task.owner) == (24 * H, "T+24 h", owner)


def test_launch_status__go_live_from_page__logged(make_plan, ic_client):
    plan = make_plan()

    response = ic_client.post(f"/warroom/launches/{plan.pk}/status", {"status": "live"})

    plan.refresh_from_db()
    assert response.status_code == 302 and plan.status == "live"
    assert plan.log_entries.filter(kind="go_no_go").exists()


def test_launch_criterion_new__empty_condition__400_nothing_written(make_plan, ic_client):
    plan = make_plan()

    response = ic_client.post(
        f"/warroom/launches/{plan.pk}/criteria/new", {"criterion-condition": ""}
    )

    assert response.status_code == 400
    assert not plan.rollback_criteria.exists()


# --- the countdown -------------------------------------------------------------------------------


def test_launch_countdown__renders_label_phase_next_overdue_criteria_and_log(
    make_plan, make_task, commander, verified_client
):
    plan = make_plan(template=True)
    late = plan.tasks.filter(offset=-7 * D).first()

    with time_machine.travel(T0 - (2 * D + 3 * H + 14 * M + 20 * timedelta(seconds=1)), tick=False):
        # Log in inside the travelled time: a session from "now" would have expired.
        client = verified_client(commander)
        page = client.get(f"/warroom/launches/{plan.pk}/countdown").content.decode()

    assert '<span class="countdown-label">T-2 d 03:14</span>' in page
    assert '<span class="countdown-seconds">:20</span>' in page
    assert 'data-t0="2027-03-28T09:00:00+00:00"' in page
    assert "Current phase: <strong>Canary</strong> (T-7 d … T0)" in page
    overdue = page[page.index('id="overdue"') : page.index('id="next-tasks"')]
    assert late.title in overdue  # T-7 d tasks are open and past due
    upcoming = page[page.index('id="next-tasks"') : page.index('id="rollback-criteria"')]
    assert "T-1 d" in upcoming and "T-7 d" not in upcoming
    assert "trust.eod_unsettled_sessions" in page
    assert "Launch plan created; T0 is 2027-03-28 09:00 UTC." in page
    assert "js/launch_countdown.js" in page
    assert "<script>" not in page and "<script >" not in page  # no inline script (CSP)
    assert 'hx-post="/warroom/launch-log/append"' in page


def _many_tasks(plan, commander, count):
    phase = plan.phases.get(kind="canary")
    for number in range(count):
        services.launch_task_create(
            actor=commander,
            plan=plan,
            phase=phase,
            title=f"Task {number}",
            offset=-(number + 1) * H,
            owner=commander,
        )
        services.launch_log_append(actor=commander, plan=plan, text=f"Entry {number}")


def _checklist_runs(plan, actor, count):
    template = ChecklistTemplate.objects.get(slug="go-no-go")
    for _number in range(count):
        services.checklist_run_start(actor=actor, template=template, launch=plan)


def test_launch_countdown__query_count_does_not_grow_with_tasks(
    make_plan, commander, verified_client, django_assert_max_num_queries
):
    few, many = make_plan(name="Few"), make_plan(name="Many")
    _many_tasks(few, commander, 2)
    _many_tasks(many, commander, 40)
    _checklist_runs(many, commander, 8)  # the launch's checklist runs are listed too

    # 20 h before T0: some tasks overdue, some next, in both launches.
    with time_machine.travel(T0 - 20 * H, tick=False):
        client = verified_client(commander)
        client.get(f"/warroom/launches/{few.pk}/countdown")  # warm the session caches
        with django_assert_max_num_queries(16) as few_queries:
            assert client.get(f"/warroom/launches/{few.pk}/countdown").status_code == 200
        with django_assert_max_num_queries(16) as many_queries:
            assert client.get(f"/warroom/launches/{many.pk}/countdown").status_code == 200

    assert len(many_queries.captured_queries) == len(few_queries.captured_queries)


def test_launch_detail__query_count_does_not_grow_with_tasks(
    make_plan, commander, ic_client, django_assert_max_num_queries
):
    few, many = make_plan(name="Few"), make_plan(name="Many")
    _many_tasks(few, commander, 2)
    _many_tasks(many, commander, 40)
    _checklist_runs(many, commander, 8)  # the launch's checklist runs are listed too
    ic_client.get(f"/warroom/launches/{few.pk}/")

    with django_assert_max_num_queries(16) as few_queries:
        ic_client.get(f"/warroom/launches/{few.pk}/")
    with django_assert_max_num_queries(16) as many_queries:
        ic_client.get(f"/warroom/launches/{many.pk}/")

    assert len(many_queries.captured_queries) == len(few_queries.captured_queries)


def test_launch_list__query_count_does_not_grow_with_plans(
    make_plan, ic_client, django_assert_max_num_queries
):
    make_plan()
    ic_client.get("/warroom/launches/")
    with django_assert_max_num_queries(14) as one:
        ic_client.get("/warroom/launches/")
    for number in range(20):
        make_plan(name=f"More {number}")
    with django_assert_max_num_queries(14) as twenty:
        ic_client.get("/warroom/launches/")

    assert len(one.captured_queries) == len(twenty.captured_queries)


# --- the war-room log -----------------------------------------------------------------------------


def test_log_append__htmx_from_countdown__entry_shown_and_saved(make_plan, commander, ic_client):
    plan = make_plan()

    response = ic_client.post(
        "/warroom/launch-log/append",
        {"plan": plan.pk, "back": "countdown", "log-kind": "decision", "log-text": "Hold at 30%"},
        **HTMX,
    )

    assert response.status_code == 200
    assert "Hold at 30%" in response.content.decode()
    entry = plan.log_entries.get(kind="decision")
    assert (entry.author, entry.automatic) == (commander, False)


def test_log_append__empty_text__field_error_nothing_written(make_plan, ic_client):
    plan = make_plan()

    response = ic_client.post(
        "/warroom/launch-log/append",
        {"plan": plan.pk, "log-kind": "note", "log-text": "   "},
        **HTMX,
    )

    assert response.status_code == 400
    assert "Write what happened or what was decided." in response.content.decode()
    assert plan.log_entries.count() == 1


def test_log_append__support_without_tasks__refused(make_plan, make_user, verified_client):
    plan = make_plan()

    response = verified_client(make_user("support")).post(
        "/warroom/launch-log/append", {"plan": plan.pk, "log-kind": "note", "log-text": "hi"}
    )

    assert response.status_code == 403
    assert plan.log_entries.count() == 1


def test_log_page__filter_by_kind_and_paginated__no_edit_or_delete(make_plan, commander, ic_client):
    plan = make_plan()
    for number in range(30):
        services.launch_log_append(actor=commander, plan=plan, text=f"Note {number}")
    services.launch_log_append(actor=commander, plan=plan, text="Roll back now", kind="rollback")

    everything = ic_client.get("/warroom/launch-log/").content.decode()
    rollbacks = ic_client.get("/warroom/launch-log/?kind=rollback").content.decode()

    assert "Page 1 of 2" in everything
    assert "Roll back now" in rollbacks and "Note 3" not in rollbacks
    assert "delete" not in everything.lower()


def test_log_page__correct_link__prefills_the_correction(make_plan, commander, ic_client):
    plan = make_plan()
    wrong = services.launch_log_append(actor=commander, plan=plan, text="Wrong figure")

    page = ic_client.get(f"/warroom/launch-log/?launch={plan.pk}&correct={wrong.pk}")
    body = page.content.decode()
    assert f'name="log-corrects" value="{wrong.pk}"' in body
    response = ic_client.post(
        "/warroom/launch-log/append",
        {"plan": plan.pk, "log-kind": "note", "log-text": "Right figure", "log-corrects": wrong.pk},
    )

    assert response.status_code == 302
    assert plan.log_entries.get(text="Right figure").corrects == wrong


# --- admin ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [LaunchLogEntry, LaunchPlan, LaunchTask])
def test_admin__launch_models__read_only_even_for_superuser(
    model, make_plan, make_user, commander, verified_client
):
    boss = make_user("super_admin", is_staff=True, is_superuser=True)
    plan = make_plan(template=True)
    row = {LaunchLogEntry: plan.log_entries.first(), LaunchPlan: plan, LaunchTask: None}[model]
    row = row or plan.tasks.first()
    request = RequestFactory().get("/admin/")
    request.user = boss
    model_admin = admin.site._registry[model]

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, row)
    assert not model_admin.has_delete_permission(request, row)

    client = verified_client(boss)
    base = f"/admin/warroom/{model._meta.model_name}/"
    assert client.get(base).status_code == 200
    assert client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"{base}{row.pk}/change/", {"text": "x", "name": "x"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()
