from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from apps.core.models import FormSubmission, IdempotencyRecord


@shared_task(name="core.idempotency_purge_task", time_limit=300)
def idempotency_purge_task() -> int:
    """Delete stored Idempotency-Key answers and used one-time form tokens older than their
    time to live."""
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    forms_deleted, _ = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted + forms_deleted
