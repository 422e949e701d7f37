"""Fixtures for war-room tests: the on-call fixtures (teams, schedules, layers) serve here
too, since launch tasks and checklists are owned by teams and their people."""

from tests.oncall.conftest import (  # noqa: F401  (fixtures)
    celery_worker,
    make_layer,
    make_receiver,
    make_schedule,
    make_team,
    ops,
    people,
)
