"""Celery tasks of the audit app."""

from __future__ import annotations

from celery import shared_task

from apps.audit.services import chain_anchors_publish


@shared_task(name="audit.anchor_task", time_limit=60, soft_time_limit=45)
def anchor_task() -> int:
    """Publish the chain heads as anchors (log and AUDIT_ANCHOR_CHANNEL); see the service."""
    return len(chain_anchors_publish())
