"""``change_request_changed``: sent after commit when a request is filed or ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.approvals.models import ChangeRequest
from apps.approvals.services import (
    change_request_approve,
    change_request_cancel,
    change_request_reject,
    change_requests_expire,
)
from apps.approvals.signals import change_request_changed
from tests.approvals.conftest import rename_request
from tests.conftest import fresh_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    received: list[tuple[int, str, object]] = []

    def receiver(sender, change_request, action, actor, **kwargs):
        received.append((change_request.pk, action, actor))

    change_request_changed.connect(receiver, dispatch_uid="tests.approvals.heard")
    yield received
    change_request_changed.disconnect(dispatch_uid="tests.approvals.heard")


def test_filed_then_applied__after_each_commit(
    rename_handler, launch_group, super_admins, heard, django_capture_on_commit_callbacks
):
    requester, approver = super_admins
    with django_capture_on_commit_callbacks(execute=False) as pending:
        change_request = rename_request(requester, launch_group)
    assert heard == []  # nothing before the commit
    for callback in pending:
        callback()
    assert heard == [(change_request.pk, "created", requester)]
    with django_capture_on_commit_callbacks(execute=True):
        change_request_approve(
            actor=approver, change_request_id=change_request.pk, otp_code=fresh_code(approver)
        )
    assert heard[-1] == (change_request.pk, "applied", approver)


def test_rejected_cancelled_expired(
    rename_handler, launch_group, super_admins, heard, django_capture_on_commit_callbacks
):
    requester, approver = super_admins
    with django_capture_on_commit_callbacks(execute=True):
        first = rename_request(requester, launch_group)
        change_request_reject(actor=approver, change_request_id=first.pk, comment="no")
        second = rename_request(requester, launch_group, new_name="crew-2")
        change_request_cancel(actor=requester, change_request_id=second.pk)
        third = rename_request(requester, launch_group, new_name="crew-3")
        ChangeRequest.objects.filter(pk=third.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        assert change_requests_expire() == 1
    actions = [(pk, action) for pk, action, _actor in heard]
    assert actions == [
        (first.pk, "created"),
        (first.pk, "rejected"),
        (second.pk, "created"),
        (second.pk, "cancelled"),
        (third.pk, "created"),
        (third.pk, "expired"),
    ]
