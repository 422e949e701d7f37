"""Celery tasks of the incidents app (each part's tasks are imported here)."""
