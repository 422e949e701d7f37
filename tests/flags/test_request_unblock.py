"""Support freezes a customer's claims and asks for the unfreeze.

Support may set user-scoped states (freeze a customer's claims) but not lift a block of a
fund-related flag. The flags page offers them "Request unblock…": it files a change
request of kind ``flags.unblock_request`` that a super admin approves; approval lifts the
block for that customer only. People who may unblock do it the usual way.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from apps.approvals.models import ChangeRequest
from apps.audit.models import AuditEvent
from apps.flags import services
from apps.flags.evaluation import evaluate
from apps.flags.models import FlagState
from tests.flags.conftest import approve

pytestmark = pytest.mark.django_db

CUSTOMER = "cust-1042"


@pytest.fixture
def frozen(people):
    """Support froze the claims of one customer."""
    services.flag_state_set(
        actor=people["support"],
        flag="claim",
        state="blocked",
        reason="referral farming suspected",
        scope_kind="user",
        scope_value=CUSTOMER,
    )
    return people


def _allowed_for(customer: str) -> bool:
    return evaluate("claim", {"user": customer}).allowed


def test_flags_page__support_after_a_freeze__offered_to_request_the_unblock(
    frozen, verified_client
):
    client = verified_client(frozen["support"])

    panel = client.get("/flags/").content.decode()
    detail = client.get("/flags/claim/").content.decode()

    link = f'href="/flags/claim/request-unblock?scope_value={CUSTOMER}"'
    assert link in panel and link in detail
    assert "/flags/claim/unblock" not in panel  # support may not lift it alone


def test_request_unblock__support__change_request_filed_nothing_lifted_yet(frozen, verified_client):
    client = verified_client(frozen["support"])
    form = client.get(f"/flags/claim/request-unblock?scope_value={CUSTOMER}")
    states_before = FlagState.objects.count()

    response = client.post(
        "/flags/claim/request-unblock",
        {"scope_value": CUSTOMER, "reason": "review done, no farming", "incident_ref": "SUP-7"},
        follow=True,
    )

    assert form.status_code == 200
    assert form.context["form"].initial["scope_value"] == CUSTOMER
    change_request = ChangeRequest.objects.get()
    assert (change_request.kind, change_request.status) == ("flags.unblock_request", "pending")
    assert change_request.requester == frozen["support"]
    assert change_request.payload["scope_kind"] == "user"
    assert change_request.payload["scope_value"] == CUSTOMER
    assert change_request.ticket == "SUP-7"
    assert FlagState.objects.count() == states_before
    assert not _allowed_for(CUSTOMER)
    assert AuditEvent.objects.filter(name="approval.created", target_id=str(change_request.pk))
    page = response.content.decode()
    assert f'href="/approvals/{change_request.pk}/"' in page
    assert f"change requested (#{change_request.pk}), waiting for approval" in page


def test_request_unblock__approved_by_a_super_admin__lifted_for_that_customer_only(
    frozen, verified_client
):
    services.flag_state_set(
        actor=frozen["support"],
        flag="claim",
        state="blocked",
        reason="another one",
        scope_kind="user",
        scope_value="cust-7",
    )
    verified_client(frozen["support"]).post(
        "/flags/claim/request-unblock", {"scope_value": CUSTOMER, "reason": "cleared"}
    )
    change_request = ChangeRequest.objects.get()

    decided = approve(change_request, frozen["admin"])

    assert decided.status == "applied"
    assert _allowed_for(CUSTOMER)
    assert not _allowed_for("cust-7")
    lifted = FlagState.objects.filter(scope_value=CUSTOMER).first()
    assert (lifted.state, lifted.source, lifted.actor) == ("allowed", "approval", frozen["support"])


def test_request_unblock__ops_cannot_approve_a_support_request(frozen):
    from apps.approvals.rules import can_decide

    services.flag_unblock_request(
        actor=frozen["support"], flag="claim", scope_value=CUSTOMER, reason="cleared"
    )
    change_request = ChangeRequest.objects.get()

    assert not can_decide(frozen["ops"], change_request)
    assert can_decide(frozen["admin"], change_request)
    assert not can_decide(frozen["support"], change_request)


def test_request_unblock__already_pending__refused_with_the_reason(frozen, verified_client):
    client = verified_client(frozen["support"])
    data = {"scope_value": CUSTOMER, "reason": "cleared"}
    client.post("/flags/claim/request-unblock", data)

    response = client.post("/flags/claim/request-unblock", data)

    assert response.status_code == 400
    assert "already pending" in " ".join(response.context["form"].non_field_errors())
    assert ChangeRequest.objects.count() == 1


def test_request_unblock__customer_not_blocked__field_error_nothing_filed(frozen, verified_client):
    response = verified_client(frozen["support"]).post(
        "/flags/claim/request-unblock", {"scope_value": "cust-unknown", "reason": "why not"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors
    assert not ChangeRequest.objects.exists()


def test_request_unblock__ops__the_usual_fund_unblock_request(frozen, verified_client):
    response = verified_client(frozen["ops"]).post(
        "/flags/claim/request-unblock", {"scope_value": CUSTOMER, "reason": "cleared"}
    )

    assert response.status_code == 302
    change_request = ChangeRequest.objects.get()
    assert change_request.kind == "flags.state" and change_request.requester == frozen["ops"]


@pytest.mark.parametrize("role", ["reviewer", "finance", "incident_commander"])
def test_request_unblock__roles_that_set_no_user_scope__refused(
    frozen, make_user, verified_client, role
):
    client = verified_client(make_user(role))

    assert client.get("/flags/claim/request-unblock").status_code == 403
    response = client.post("/flags/claim/request-unblock", {"scope_value": CUSTOMER, "reason": "x"})
    assert response.status_code == 403
    assert not ChangeRequest.objects.exists()


def test_request_unblock__service_account__refused(frozen):
    from apps.approvals.services import ApprovalRefused
    from tests.factories import ServiceAccountFactory

    with pytest.raises((ApprovalRefused, PermissionDenied)):
        services.flag_unblock_request(
            actor=ServiceAccountFactory(), flag="claim", scope_value=CUSTOMER, reason="robot"
        )
    assert not ChangeRequest.objects.exists()
