"""Tasks carry the request id and actor of whoever queued them (a real worker thread)."""

from __future__ import annotations

import pytest

from apps.accounts.models import User
from apps.audit.models import LogEntry
from apps.core import context
from opsportal.celery import app as celery_app
from tests.celery_worker import celery_worker, wait_until  # noqa: F401  (fixture)


@celery_app.task(name="tests.core.rename_person_task")
def rename_person_task(person_id: int, first_name: str) -> None:
    """Test-only: change an audited model inside a task."""
    person = User.objects.get(pk=person_id)
    person.first_name = first_name
    person.save(update_fields=["first_name"])


def _rename_row(person, first_name):
    return LogEntry.objects.filter(
        object_pk=str(person.pk),
        action=LogEntry.Action.UPDATE,
        changes__first_name__1=first_name,
    ).first()


@pytest.mark.celery_worker
@pytest.mark.usefixtures("celery_worker")
def test_task__queued_in_a_request__audit_row_has_its_actor_and_request_id(make_user):
    someone = make_user("ops", username="someone")
    person = make_user(first_name="Before")

    with context.bind(request_id="req-123", actor=someone):
        rename_person_task.delay(person.pk, "After")

    entry = wait_until(lambda: _rename_row(person, "After"))
    assert entry.actor_id == someone.pk
    assert entry.cid == "req-123"
    assert entry.request_id == "req-123"


@pytest.mark.celery_worker
@pytest.mark.usefixtures("celery_worker")
def test_task__queued_without_context__own_request_id_and_no_actor(make_user):
    person = make_user(first_name="Before")

    result = rename_person_task.delay(person.pk, "Quiet")

    entry = wait_until(lambda: _rename_row(person, "Quiet"))
    assert entry.actor_id is None
    assert entry.request_id == f"task-{result.id}"


def test_task__run_eagerly__keeps_the_callers_context(make_user):
    someone = make_user("ops")
    person = make_user(first_name="Before")

    with context.bind(request_id="req-eager", actor=someone):
        rename_person_task.apply(args=(person.pk, "Eager"))
        assert context.get_request_id() == "req-eager"

    entry = _rename_row(person, "Eager")
    assert (entry.actor_id, entry.request_id) == (someone.pk, "req-eager")
