"""Signals of the incidents app (for other parts and apps to react without importing
the services that send them)."""

from django.dispatch import Signal

# Sent inside the status change's transaction: sender=Incident, incident=, previous=, actor=.
incident_status_changed = Signal()
