"""On-call Celery tasks keep the names they had in the war room, so queued messages and the
beat schedule still reach them after the move."""

from __future__ import annotations

from django.conf import settings

from opsportal.celery import app

KEPT_NAMES = {
    "warroom.page_step_task": "apps.oncall.tasks",
    "warroom.page_sweep_task": "apps.oncall.tasks",
    "warroom.coverage_gaps_task": "apps.oncall.tasks",
    "warroom.shift_change_notices_task": "apps.oncall.tasks",
}


def test_tasks__names_kept__registered_from_the_oncall_app():
    app.loader.import_default_modules()

    assert {name: app.tasks[name].__module__ for name in KEPT_NAMES} == KEPT_NAMES


def test_beat_schedule__every_entry__names_a_registered_task():
    app.loader.import_default_modules()

    missing = [
        entry["task"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] not in app.tasks
    ]

    assert not missing
