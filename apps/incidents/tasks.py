"""Celery tasks of the incidents app (each part's tasks are imported here)."""

from apps.incidents.tasks_alerts import *  # noqa: F403
