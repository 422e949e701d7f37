"""flag_user_unblock_request: turning a flag back on for one customer, or asking for it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.approvals.models import ChangeRequest
from apps.flags.models import FlagState
from apps.flags.services import flag_state_set
from apps.flags.services.unblock_request import USER_STATE_KIND, flag_user_unblock_request

pytestmark = pytest.mark.django_db


def _freeze(actor, flag="claim", user="cust-9"):
    flag_state_set(
        actor=actor,
        flag=flag,
        state="blocked",
        scope_kind="user",
        scope_value=user,
        reason="review",
    )


def test_unblock_request__support_fund_flag__files_user_state_request(make_user):
    make_user("super_admin"), make_user("super_admin")
    support = make_user("support")
    _freeze(support)

    change = flag_user_unblock_request(
        actor=support, flag="claim", user_ref="cust-9", reason="review passed", ticket="ZD-1"
    )

    assert change.applied is False
    request = ChangeRequest.objects.get()
    assert (request.kind, request.target) == (USER_STATE_KIND, "flags.state:claim:user:cust-9")
    assert FlagState.objects.count() == 1


def test_unblock_request__ops_fund_flag__files_flags_state_request(make_user):
    make_user("super_admin"), make_user("super_admin")
    ops = make_user("ops")
    _freeze(ops)

    change = flag_user_unblock_request(actor=ops, flag="claim", user_ref="cust-9", reason="ok")

    assert change.applied is False
    assert change.change_request.kind == "flags.state"


def test_unblock_request__support_non_fund_flag__applied_at_once(make_user):
    support = make_user("support")
    _freeze(support, flag="feed.post")

    change = flag_user_unblock_request(
        actor=support, flag="feed.post", user_ref="cust-9", reason="ok"
    )

    assert change.applied is True
    assert change.state.state == "allowed"


def test_unblock_request__nothing_blocked__refused(make_user):
    with pytest.raises(ValidationError, match="nothing to unblock"):
        flag_user_unblock_request(
            actor=make_user("support"), flag="claim", user_ref="cust-9", reason="x"
        )
    assert not ChangeRequest.objects.exists()


def test_unblock_request__reviewer__refused(make_user):
    _freeze(make_user("ops"))

    with pytest.raises(PermissionDenied):
        flag_user_unblock_request(
            actor=make_user("reviewer"), flag="claim", user_ref="cust-9", reason="x"
        )
