"""On call moved out of the war room: a database in the old layout migrates forward intact.

The test takes the test database back to the last migrations before the move (warroom
0007, no oncall app), writes data there the way the old code left it — models under the
``warroom`` content types, a team lead's django-guardian grant on a schedule, an audited
change and a domain event about the schedule in the hash chain, a page waiting for its
first step — then runs ``migrate`` as a deploy does and checks that everything followed:
the chain verifies, the grant still decides, the history is found under the new content
type, and the queued page-step task (by its kept Celery name) still runs the page.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from celery import current_app
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from guardian.models import UserObjectPermission

from apps.accounts.policy import can
from apps.audit.models import AuditEvent, LogEntry
from apps.audit.writers import write_event

pytestmark = pytest.mark.django_db(transaction=True)

OLD_LAYOUT = [("warroom", "0007_launchlog_refuses_truncate"), ("oncall", None)]
PAGE_STEP_TASK = "warroom.page_step_task"


def migrate_back_to_old_layout():
    """Unapply the move without post_migrate, as a database made by the old code is."""
    executor = MigrationExecutor(connection)
    executor.migrate(OLD_LAYOUT)
    ContentType.objects.clear_cache()
    return executor.loader.project_state(OLD_LAYOUT[0]).apps


@pytest.fixture
def old_layout(make_user):
    """Data written in the old layout; the database is left migrated forward either way."""
    ops = make_user("ops", username="mig-ops")
    lead = make_user("support", username="mig-lead")
    other = make_user("support", username="mig-other")
    old = migrate_back_to_old_layout()
    try:
        yield _write_old_data(old, ops=ops, lead=lead, other=other)
    finally:
        call_command("migrate", verbosity=0)
        ContentType.objects.clear_cache()


def _write_old_data(old, *, ops, lead, other) -> dict:
    warroom_type = ContentType.objects.get(app_label="warroom", model="schedule")
    team = old.get_model("warroom", "Team").objects.create(
        name="Migrated backend", slug="migrated-backend", lead_id=lead.pk
    )
    old.get_model("warroom", "Membership").objects.create(team=team, user_id=lead.pk)
    schedule_model = old.get_model("warroom", "Schedule")
    schedule = schedule_model.objects.create(
        team=team, kind="primary", name="Primary", timezone="Europe/Warsaw"
    )
    backup = schedule_model.objects.create(
        team=team, kind="backup", name="Backup", timezone="Europe/Warsaw"
    )
    # The lead's per-object grant, the row the old services wrote (bulk_create: guardian's
    # save() would look the object up through the current app registry).
    UserObjectPermission.objects.bulk_create(
        [
            UserObjectPermission(
                user=lead,
                permission=Permission.objects.get(
                    content_type=warroom_type, codename="change_schedule"
                ),
                content_type=warroom_type,
                object_pk=str(schedule.pk),
            )
        ]
    )
    # The schedule's history: an auditlog change record and a domain event, both chained.
    LogEntry(
        content_type=warroom_type,
        object_pk=str(schedule.pk),
        object_id=schedule.pk,
        object_repr="Migrated backend primary",
        action=LogEntry.Action.CREATE,
        changes={"kind": ["None", "primary"]},
        actor=ops,
    ).save()
    write_event(
        "schedule.created",
        actor=ops,
        target=("warroom.schedule", schedule.pk, "Migrated backend primary"),
    )
    # A running page whose first step is due (its task was queued before the deploy).
    page = old.get_model("warroom", "Page").objects.create(
        team=team,
        title="Indexer lag 20 min",
        policy_snapshot={
            "policy_name": "L1",
            "team": team.slug,
            "steps": [
                {"position": 1, "kind": "notify_team_lead", "label": "L1", "wait_minutes": None},
                {"position": 2, "kind": "wait", "label": "", "wait_minutes": 30},
            ],
        },
        status="triggered",
        current_step=0,
        current_repeat=0,
        next_run_at=timezone.now() - timedelta(minutes=1),
        ack_token=secrets.token_urlsafe(32),
        created_by_id=ops.pk,
    )
    return {
        "schedule_id": schedule.pk,
        "backup_id": backup.pk,
        "page_id": page.pk,
        "lead": lead,
        "other": other,
        "schedule_type_id": warroom_type.pk,
    }


def test_migrate__old_layout_data__audit_grants_history_and_page_survive(old_layout, monkeypatch):
    from apps.oncall import tasks
    from apps.oncall.models import Page, PageStepRun, Schedule

    call_command("migrate", verbosity=0)
    ContentType.objects.clear_cache()

    # The audit chain is intact (audit_verify raises CommandError otherwise).
    call_command("audit_verify", verbosity=0)

    # The content type was relabelled in place: same row, new label, no warroom twin.
    schedule = Schedule.objects.get(pk=old_layout["schedule_id"])
    schedule_type = ContentType.objects.get_for_model(Schedule)
    assert (schedule_type.pk, schedule_type.app_label) == (old_layout["schedule_type_id"], "oncall")
    assert not ContentType.objects.filter(app_label="warroom", model="schedule").exists()

    # The lead's object permission still decides, on that schedule only.
    lead, other = old_layout["lead"], old_layout["other"]
    assert can(lead, "oncall.change_schedule", schedule)
    assert not can(lead, "oncall.change_schedule", Schedule.objects.get(pk=old_layout["backup_id"]))
    assert not can(lead, "oncall.change_schedule")
    assert not can(other, "oncall.change_schedule", schedule)

    # The schedule's history is found under the new content type; its domain event is kept
    # as written (the label is part of the hashed row).
    history = LogEntry.objects.get_for_object(schedule)
    assert [entry.object_repr for entry in history] == ["Migrated backend primary"]
    assert AuditEvent.objects.filter(
        name="schedule.created", target_type="warroom.schedule", target_id=str(schedule.pk)
    ).exists()

    # The page-step task keeps its Celery name; the queued message still runs the page.
    queued = []
    monkeypatch.setattr(tasks.page_step_task, "apply_async", lambda *a, **k: queued.append(a))
    page = Page.objects.get(pk=old_layout["page_id"])
    outcome = current_app.tasks[PAGE_STEP_TASK].apply(args=[page.pk, 0, 0]).get()
    page.refresh_from_db()
    assert outcome == "ran"
    assert PageStepRun.objects.filter(page=page, step_index=0, repeat=0).exists()
    assert page.status == Page.Status.TRIGGERED and page.current_step == 1
    assert queued == [((page.pk, 1, 0),)]  # the step reached nobody: the next one at once
