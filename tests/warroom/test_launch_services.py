"""Launch plan services: the runbook template, offsets and due times, T0 moves, status
changes with who/when, permissions of leads and task owners, and the war-room log."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from apps.audit.models import AuditEvent
from apps.oncall import services as oncall
from apps.oncall.models import Team
from apps.warroom import services
from apps.warroom.launch_time import format_offset
from apps.warroom.models import LaunchLogEntry, LaunchPlan, LaunchTask, RollbackCriterion
from apps.warroom.selectors import launch as launch_selectors
from tests.factories import ServiceAccountFactory
from tests.warroom import launch_fixtures
from tests.warroom.launch_fixtures import T0

pytestmark = pytest.mark.django_db

# The launch fixtures, shared by the test_launch_* modules.
commander = launch_fixtures.commander
make_plan = launch_fixtures.make_plan
make_task = launch_fixtures.make_task

D, H, M = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)
STANDARD_LABELS = [
    "T-7 d",
    "T-3 d",
    "T-1 d",
    "T-2 h",
    "T-30 min",
    "T0",
    "T+1 h",
    "T+24 h",
    "T+7 d",
]


# --- the runbook template ---------------------------------------------------------------------


def test_launch_plan_create__from_template__four_phases_standard_offsets_and_criteria(
    make_plan,
):
    plan = make_plan(template=True)

    phases = list(plan.phases.all())
    assert [p.kind for p in phases] == ["preflight", "pilot", "canary", "full_go_live"]
    assert [(format_offset(p.start_offset), format_offset(p.end_offset)) for p in phases] == [
        ("T-21 d", "T-14 d"),
        ("T-14 d", "T-7 d"),
        ("T-7 d", "T0"),
        ("T0", "T+7 d"),
    ]
    tasks = list(plan.tasks.select_related("phase", "owner_team"))
    labels = []
    for task in tasks:
        if task.offset_label not in labels:
            labels.append(task.offset_label)
    # The cutover checklist's offsets, in order, after the pre-flight and pilot starts.
    assert labels == ["T-21 d", "T-14 d", *STANDARD_LABELS]
    for task in tasks:
        assert task.phase.start_offset <= task.offset <= task.phase.end_offset, task
        assert task.status == LaunchTask.Status.TODO
        assert task.owner_team is not None  # the seeded teams (ops, backend, …)
    by_label = {label: [t.title for t in tasks if t.offset_label == label] for label in labels}
    assert "Open the war room; confirm the on-call roles" in by_label["T-2 h"]
    assert "Switch on the canary volume routes (10% → 30%)" in by_label["T-30 min"]
    assert "Go/no-go decision" in by_label["T0"]
    assert "Launch post-mortem, even without incidents" in by_label["T+7 d"]
    go_no_go = next(t for t in tasks if t.title == "Go/no-go decision")
    assert "error rate below 1% for 15 minutes" in go_no_go.description
    assert "p99 latency below 500 ms" in go_no_go.description

    criteria = list(plan.rollback_criteria.all())
    assert [c.position for c in criteria] == [1, 2, 3, 4, 5]
    thresholds = " | ".join(c.threshold for c in criteria)
    for expected in (
        "p95 pass-through > 30 min in 2 windows in a row",
        "trust.eod_unsettled_sessions > 0 at 90 min after cut-off",
        "webhook success < 98% over a 15-minute window",
        "any SEV1",
        "error rate > 5% or response time > 5000 ms",
    ):
        assert expected in thresholds
    assert all(c.action and c.decision_owner for c in criteria)
    assert "safe-mode" in criteria[0].action
    assert "p95 pass-through ≤ 15 min" in plan.description
    entry = plan.log_entries.get()
    assert entry.kind == "event" and entry.automatic and "T0 is 2027-03-28 09:00 UTC" in entry.text
    assert AuditEvent.objects.get(name="launch.created").data["tasks"] == len(tasks)


def test_launch_plan_create__no_template__phases_only(make_plan):
    plan = make_plan()

    assert plan.phases.count() == 4
    assert not plan.tasks.exists()
    assert not plan.rollback_criteria.exists()


def test_launch_plan_create__t0_missing__field_error_nothing_written(commander):
    with pytest.raises(ValidationError) as error:
        services.launch_plan_create(actor=commander, name="No T0", t0=None)

    assert "t0" in error.value.message_dict
    assert not LaunchPlan.objects.exists()
    assert not LaunchLogEntry.objects.exists()


def test_launch_plan_create__support_role__refused(make_user):
    with pytest.raises(PermissionDenied):
        services.launch_plan_create(actor=make_user("support"), name="X", t0=T0)
    assert not LaunchPlan.objects.exists()


# --- offsets, due times and T0 ------------------------------------------------------------------


def test_task_due_at__is_t0_plus_offset(make_plan, make_task):
    plan = make_plan()
    before = make_task(plan, offset=-30 * M, unit="min")
    after = make_task(plan, offset=24 * H, unit="h", phase="full_go_live", title="Report")

    assert before.due_at == T0 - 30 * M
    assert after.due_at == T0 + 24 * H
    assert (before.offset_label, after.offset_label) == ("T-30 min", "T+24 h")
    annotated = {t.pk: t.due for t in launch_selectors.tasks_for(plan)}
    assert annotated == {before.pk: T0 - 30 * M, after.pk: T0 + 24 * H}


def test_launch_plan_update__t0_moved__offsets_kept_due_times_move_and_logged(make_plan, commander):
    plan = make_plan(template=True)
    offsets = dict(plan.tasks.values_list("pk", "offset"))
    new_t0 = T0 + 2 * D + 3 * H

    services.launch_plan_update(actor=commander, plan=plan, t0=new_t0, reason="Partner asked")

    plan.refresh_from_db()
    assert plan.t0 == new_t0
    tasks = list(launch_selectors.tasks_for(plan))
    assert {t.pk: t.offset for t in tasks} == offsets
    assert all(t.due == new_t0 + t.offset for t in tasks)
    assert all(t.due_at == new_t0 + offsets[t.pk] for t in tasks)
    entry = plan.log_entries.filter(kind="decision").get()
    assert "from 2027-03-28 09:00 UTC to 2027-03-30 12:00 UTC (+2 d 3 h)" in entry.text
    assert "Partner asked" in entry.text and entry.author == commander and entry.automatic
    event = AuditEvent.objects.get(name="launch.t0_changed")
    assert event.data["to"] == new_t0.isoformat()


def test_launch_plan_update__same_t0__nothing_logged(make_plan, commander):
    plan = make_plan()

    services.launch_plan_update(actor=commander, plan=plan, t0=T0)

    assert plan.log_entries.count() == 1  # the "created" entry only
    assert not AuditEvent.objects.filter(name="launch.t0_changed").exists()


def test_overdue__open_task_past_due__flagged_until_done(make_plan, make_task, commander):
    plan = make_plan()
    task = make_task(plan, offset=-2 * H)

    with time_machine.travel(T0 - 3 * H, tick=False):
        assert not task.is_overdue()
        assert not launch_selectors.overdue_tasks(plan).exists()
    with time_machine.travel(T0 - 1 * H, tick=False):
        assert task.is_overdue()
        assert list(launch_selectors.overdue_tasks(plan)) == [task]
        assert launch_selectors.launch_plan_list(user=commander).get().overdue_count == 1
        services.launch_task_set_status(actor=commander, task=task, status="done")
        task.refresh_from_db()
        assert not task.is_overdue()
        assert launch_selectors.launch_plan_list(user=commander).get().overdue_count == 0


# --- task status --------------------------------------------------------------------------------


def test_launch_task_set_status__records_who_when_and_writes_the_log(
    make_plan, make_task, commander
):
    plan = make_plan()
    task = make_task(plan)
    moment = T0 - 5 * H

    with time_machine.travel(moment, tick=False):
        services.launch_task_set_status(
            actor=commander, task=task, status="in_progress", note="On it"
        )

    task.refresh_from_db()
    assert task.status == "in_progress"
    assert task.status_changed_by == commander
    assert task.status_changed_at == moment
    assert task.note == "On it"
    entry = plan.log_entries.get(task=task)
    assert entry.kind == "event" and entry.author == commander and entry.created_at == moment
    assert entry.text.startswith("T-2 h Open the war room: To do → In progress by ")
    assert entry.data == {"from": "todo", "to": "in_progress"}
    assert AuditEvent.objects.get(name="launch.task_status_changed").data["to"] == "in_progress"


def test_launch_task_set_status__blocked_without_note__refused_nothing_written(
    make_plan, make_task, commander
):
    plan = make_plan()
    task = make_task(plan)

    with pytest.raises(ValidationError) as error:
        services.launch_task_set_status(actor=commander, task=task, status="blocked")

    assert "note" in error.value.message_dict
    task.refresh_from_db()
    assert task.status == "todo" and task.status_changed_at is None
    assert not plan.log_entries.filter(task=task).exists()


def test_launch_task_set_status__unknown_status__refused(make_plan, make_task, commander):
    task = make_task(make_plan())

    with pytest.raises(ValidationError):
        services.launch_task_set_status(actor=commander, task=task, status="finished")


def test_launch_task_set_status__owner_person_may__other_support_person_may_not(
    make_plan, make_task, make_user
):
    owner, stranger = make_user("support"), make_user("support")
    plan = make_plan()
    task = make_task(plan, owner=owner)

    with pytest.raises(PermissionDenied):
        services.launch_task_set_status(actor=stranger, task=task, status="done")
    task.refresh_from_db()
    assert task.status == "todo"

    services.launch_task_set_status(actor=owner, task=task, status="done")
    task.refresh_from_db()
    assert (task.status, task.status_changed_by) == ("done", owner)


def test_launch_task_set_status__owner_team_member_may(make_plan, make_task, make_user, ops):
    member = make_user("finance")
    team = oncall.team_create(actor=ops, name="Treasury", slug="treasury")
    oncall.team_member_add(actor=ops, team=team, user=member)
    task = make_task(make_plan(), owner_team=team)

    services.launch_task_set_status(actor=member, task=task, status="in_progress")

    task.refresh_from_db()
    assert task.status_changed_by == member


def test_launch_task_set_status__closed_launch__refused(make_plan, make_task, commander):
    plan = make_plan()
    task = make_task(plan)
    services.launch_plan_set_status(actor=commander, plan=plan, status="cancelled", reason="x")

    with pytest.raises(ValidationError):
        services.launch_task_set_status(actor=commander, task=task, status="done")


# --- task input ---------------------------------------------------------------------------------


def test_launch_task_create__owner_is_a_service_account__field_error_nothing_written(
    make_plan, commander
):
    plan = make_plan()

    with pytest.raises(ValidationError) as error:
        services.launch_task_create(
            actor=commander,
            plan=plan,
            phase=plan.phases.get(kind="canary"),
            title="Bot task",
            offset=-2 * H,
            owner=ServiceAccountFactory(),
        )

    assert "owner" in error.value.message_dict
    assert not plan.tasks.exists()


def test_launch_task_create__phase_of_another_launch__refused(make_plan, commander):
    plan, other = make_plan(), make_plan(name="Other")

    with pytest.raises(ValidationError) as error:
        services.launch_task_create(
            actor=commander,
            plan=plan,
            phase=other.phases.get(kind="canary"),
            title="Wrong phase",
            offset=-2 * H,
        )

    assert "phase" in error.value.message_dict
    assert not LaunchTask.objects.exists()


def test_launch_task_create__offset_beyond_90_days__refused(make_plan, commander):
    plan = make_plan()

    with pytest.raises(ValidationError) as error:
        services.launch_task_create(
            actor=commander,
            plan=plan,
            phase=plan.phases.get(kind="canary"),
            title="Far",
            offset=-100 * D,
        )

    assert "offset" in error.value.message_dict
    assert not plan.tasks.exists()


# --- launch status ------------------------------------------------------------------------------


def test_launch_plan_set_status__go_live_then_rollback__logged_with_kinds(make_plan, commander):
    plan = make_plan()

    services.launch_plan_set_status(actor=commander, plan=plan, status="live")
    with pytest.raises(ValidationError) as error:
        services.launch_plan_set_status(actor=commander, plan=plan, status="rolled_back")
    assert "reason" in error.value.message_dict
    services.launch_plan_set_status(
        actor=commander, plan=plan, status="rolled_back", reason="webhooks 96% for 15 min"
    )

    plan.refresh_from_db()
    assert plan.status == "rolled_back"
    kinds = list(plan.log_entries.order_by("id").values_list("kind", "text"))
    assert kinds[1] == ("go_no_go", "GO: the launch is live.")
    assert kinds[2] == ("rollback", "Rollback declared. Reason: webhooks 96% for 15 min")
    assert list(
        AuditEvent.objects.filter(name="launch.status_changed")
        .order_by("id")
        .values_list("data__to", flat=True)
    ) == ["live", "rolled_back"]


def test_launch_plan_set_status__not_allowed_move__refused(make_plan, commander):
    plan = make_plan()

    with pytest.raises(ValidationError) as error:
        services.launch_plan_set_status(actor=commander, plan=plan, status="completed")

    assert "cannot become" in error.value.message_dict["status"][0]
    plan.refresh_from_db()
    assert plan.status == "planned"


# --- rollback criteria --------------------------------------------------------------------------


def test_launch_rollback_criterion_add__appended_in_order(make_plan, commander):
    plan = make_plan(template=True)

    criterion = services.launch_rollback_criterion_add(
        actor=commander,
        plan=plan,
        condition="Refund queue grows",
        threshold="refund queue > 100 for 30 min",
        action="Freeze refunds",
        decision_owner="Treasury lead",
    )

    assert criterion.position == 6
    with pytest.raises(ValidationError):
        services.launch_rollback_criterion_add(actor=commander, plan=plan, condition="  ")
    assert RollbackCriterion.objects.filter(plan=plan).count() == 6


# --- the war-room log ---------------------------------------------------------------------------


def test_log__append_only__manager_and_model_refuse_changes(make_plan, commander):
    plan = make_plan()
    entry = services.launch_log_append(
        actor=commander, plan=plan, text="Decided X", kind="decision"
    )

    entry.text = "Decided Y"
    with pytest.raises(Exception, match="append-only"):
        entry.save()
    with pytest.raises(Exception, match="append-only"):
        entry.delete()
    with pytest.raises(Exception, match="append-only"):
        LaunchLogEntry.objects.filter(pk=entry.pk).update(text="Decided Z")
    with pytest.raises(Exception, match="append-only"):
        LaunchLogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(Exception, match="append-only"):
        plan.log_entries.all().delete()
    with pytest.raises(Exception, match="append-only"):
        LaunchLogEntry.objects.update_or_create(pk=entry.pk, defaults={"text": "Z"})

    assert LaunchLogEntry.objects.get(pk=entry.pk).text == "Decided X"


def test_log__correction__new_entry_points_at_the_old_one_which_stays(make_plan, commander):
    plan = make_plan()
    wrong = services.launch_log_append(actor=commander, plan=plan, text="Restore took 41 min")

    fix = services.launch_log_append(
        actor=commander, plan=plan, text="Restore took 14 min", corrects=wrong
    )

    assert fix.corrects == wrong and fix.pk != wrong.pk
    assert LaunchLogEntry.objects.get(pk=wrong.pk).text == "Restore took 41 min"
    assert list(wrong.corrections.all()) == [fix]


def test_log__correction_of_another_launchs_entry__refused(make_plan, commander):
    plan, other = make_plan(), make_plan(name="Other")
    entry = services.launch_log_append(actor=commander, plan=other, text="x")

    with pytest.raises(ValidationError) as error:
        services.launch_log_append(actor=commander, plan=plan, text="fix", corrects=entry)

    assert "corrects" in error.value.message_dict


def test_log__empty_text__field_error_nothing_written(make_plan, commander):
    plan = make_plan()

    with pytest.raises(ValidationError) as error:
        services.launch_log_append(actor=commander, plan=plan, text="   ")

    assert "text" in error.value.message_dict
    assert plan.log_entries.count() == 1  # the "created" entry only


def test_log__task_owner_may_note_but_not_decide__stranger_may_not_write(
    make_plan, make_task, make_user
):
    owner, stranger = make_user("support"), make_user("support")
    plan = make_plan()
    make_task(plan, owner=owner)

    services.launch_log_append(actor=owner, plan=plan, text="Partners told", kind="event")
    with pytest.raises(PermissionDenied):
        services.launch_log_append(actor=owner, plan=plan, text="GO", kind="go_no_go")
    with pytest.raises(PermissionDenied):
        services.launch_log_append(actor=stranger, plan=plan, text="hello")
    with pytest.raises(PermissionDenied):
        services.launch_log_append(actor=owner, plan=None, text="no launch")

    assert list(plan.log_entries.filter(automatic=False).values_list("author", flat=True)) == [
        owner.pk
    ]


@pytest.mark.postgres
def test_log__postgres_trigger__refuses_raw_update_and_delete(make_plan, commander):
    from django.db import IntegrityError, connection, transaction

    plan = make_plan()
    entry = services.launch_log_append(actor=commander, plan=plan, text="raw")

    for sql in (
        "UPDATE warroom_launchlogentry SET text = 'changed' WHERE id = %s",
        "DELETE FROM warroom_launchlogentry WHERE id = %s",
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])

    assert LaunchLogEntry.objects.get(pk=entry.pk).text == "raw"


def test_team_seeded__template_owner_teams_resolve(make_plan):
    plan = make_plan(template=True)

    slugs = set(plan.tasks.values_list("owner_team__slug", flat=True))
    assert slugs == {"ops", "backend", "finance", "support"}
    assert Team.objects.filter(slug__in=slugs).count() == 4
