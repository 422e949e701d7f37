"""Alert groups follow their pages: a page about a firing group, once acknowledged, moves
the group to "acknowledged" (a later resolved alert still resolves it; a new firing
episode opens it again)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from apps.core.logging import get_logger
from apps.incidents.models import AlertGroup

log = get_logger(__name__)


def on_page_acknowledged(sender, page, actor=None, **kwargs) -> None:
    try:
        if not page.subject_type_id or not page.subject_id:
            return
        if page.subject_type_id != ContentType.objects.get_for_model(AlertGroup).pk:
            return
        with transaction.atomic():
            AlertGroup.objects.filter(pk=page.subject_id, state=AlertGroup.State.FIRING).update(
                state=AlertGroup.State.ACKNOWLEDGED
            )
    except Exception:  # a receiver never breaks the acknowledgement
        log.exception("alert group acknowledgement failed", page=page.pk)


def connect() -> None:
    from apps.oncall.services.pages import page_acknowledged

    page_acknowledged.connect(on_page_acknowledged, dispatch_uid="incidents.alert_group_ack")
