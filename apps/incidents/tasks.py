"""Celery tasks of the incidents app (each part's tasks are imported here)."""

from apps.incidents.tasks_alerts import *  # noqa: F403
from apps.incidents.tasks_comms import *  # noqa: F403
from apps.incidents.tasks_postmortems import *  # noqa: F403
