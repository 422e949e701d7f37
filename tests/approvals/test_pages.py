"""The approvals pages: inbox tabs, the request page, approve/reject/cancel forms, the
menu entry, the read-only admin, expiry and notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from apps.approvals.models import ChangeRequest
from apps.approvals.tasks import change_requests_expire_task
from apps.notify.models import ContactMethod
from tests.approvals.conftest import events, fresh_code, rename_request

pytestmark = pytest.mark.usefixtures("rename_handler", "super_admins")


def _detail(change_request) -> str:
    return reverse("approvals:detail", args=[change_request.pk])


def test_inbox__tabs__waiting_for_me_mine_and_history(
    make_user, verified_client, launch_group, super_admins
):
    finance = make_user("finance")
    change_request = rename_request(finance, launch_group, new_name="crew-on-inbox")
    client = verified_client(super_admins[0])

    waiting = client.get(reverse("approvals:inbox")).content.decode()
    history = client.get(reverse("approvals:inbox") + "?tab=history").content.decode()
    mine_of_admin = client.get(reverse("approvals:inbox") + "?tab=mine").content.decode()

    assert "crew-on-inbox" in waiting
    assert "crew-on-inbox" not in history
    assert "crew-on-inbox" not in mine_of_admin
    finance_client = verified_client(finance)
    assert (
        "crew-on-inbox"
        in finance_client.get(reverse("approvals:inbox") + "?tab=mine").content.decode()
    )
    assert "crew-on-inbox" not in finance_client.get(reverse("approvals:inbox")).content.decode()
    assert change_request.pk


def test_inbox__many_requests__paginated(make_user, verified_client, super_admins):
    finance = make_user("finance")
    for number in range(27):
        group = Group.objects.create(name=f"team-{number:02d}")
        rename_request(finance, group, new_name=f"crew-{number:02d}")
    client = verified_client(super_admins[0])

    first = client.get(reverse("approvals:inbox")).content.decode()
    second = client.get(reverse("approvals:inbox") + "?tab=waiting&page=2").content.decode()

    assert "Page 1 of 2" in first
    assert first.count('href="/approvals/') - second.count('href="/approvals/') > 0
    assert "crew-00" in second  # newest first: the oldest is on the last page


def test_detail__approver__sees_diff_reason_ticket_version_and_otp_field(
    make_user, verified_client, launch_group, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group, ticket="OPS-77")

    page = verified_client(super_admins[0]).get(_detail(change_request)).content.decode()

    for text in (
        "launch-team",
        "launch-crew",
        "Rename for the launch",
        "OPS-77",
        'name="otp_code"',
        reverse("approvals:reject", args=[change_request.pk]),
    ):
        assert text in page
    assert reverse("approvals:cancel", args=[change_request.pk]) not in page


def test_detail__requester__no_decision_forms_but_cancel(make_user, verified_client, launch_group):
    finance = make_user("finance")
    change_request = rename_request(finance, launch_group)

    page = verified_client(finance).get(_detail(change_request)).content.decode()

    assert 'name="otp_code"' not in page
    assert reverse("approvals:cancel", args=[change_request.pk]) in page


def test_approve_page__fresh_code__applied(make_user, verified_client, launch_group, super_admins):
    change_request = rename_request(make_user("finance"), launch_group)
    approver = super_admins[0]

    response = verified_client(approver).post(
        reverse("approvals:approve", args=[change_request.pk]),
        {
            "otp_code": fresh_code(approver),
            "comment": "ok",
            "payload_sha256": change_request.payload_sha256,
        },
    )

    assert response.status_code == 302
    change_request.refresh_from_db()
    assert change_request.status == "applied"
    launch_group.refresh_from_db()
    assert launch_group.name == "launch-crew"


def test_approve_page__wrong_code__form_error_and_nothing_applied(
    make_user, verified_client, launch_group, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)
    approver = super_admins[0]
    wrong = "111111" if fresh_code(approver) != "111111" else "222222"

    response = verified_client(approver).post(
        reverse("approvals:approve", args=[change_request.pk]),
        {"otp_code": wrong, "payload_sha256": change_request.payload_sha256},
    )

    assert response.status_code == 400
    assert "This code is not valid" in response.content.decode()
    change_request.refresh_from_db()
    assert change_request.status == "pending"
    launch_group.refresh_from_db()
    assert launch_group.name == "launch-team"


def test_approve_page__own_request__refused(verified_client, launch_group, super_admins):
    requester = super_admins[0]
    change_request = rename_request(requester, launch_group)

    response = verified_client(requester).post(
        reverse("approvals:approve", args=[change_request.pk]),
        {"otp_code": fresh_code(requester), "payload_sha256": change_request.payload_sha256},
    )

    assert response.status_code == 403
    assert "own request" in response.content.decode()
    change_request.refresh_from_db()
    assert change_request.status == "pending"


def test_reject_page__without_comment__error_and_still_pending(
    make_user, verified_client, launch_group, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)

    response = verified_client(super_admins[0]).post(
        reverse("approvals:reject", args=[change_request.pk]), {"comment": ""}
    )

    assert response.status_code == 400
    change_request.refresh_from_db()
    assert change_request.status == "pending"


def test_cancel_page__requester__cancelled(make_user, verified_client, launch_group):
    finance = make_user("finance")
    change_request = rename_request(finance, launch_group)

    response = verified_client(finance).post(reverse("approvals:cancel", args=[change_request.pk]))

    assert response.status_code == 302
    change_request.refresh_from_db()
    assert change_request.status == "cancelled"


def test_navigation__any_role__shows_approvals(make_user, verified_client):
    page = verified_client(make_user("support")).get(reverse("approvals:inbox"))

    assert page.status_code == 200
    assert 'href="/approvals/"' in page.content.decode()


def test_admin__change_requests__read_only(make_user, verified_client, launch_group):
    admin = make_user("super_admin", is_staff=True, is_superuser=True)
    change_request = rename_request(make_user("finance"), launch_group)
    client = verified_client(admin)

    listing = client.get("/admin/approvals/changerequest/")
    add = client.get("/admin/approvals/changerequest/add/")
    delete = client.post(
        f"/admin/approvals/changerequest/{change_request.pk}/delete/", {"post": "yes"}
    )

    assert listing.status_code == 200
    assert add.status_code == 403
    assert delete.status_code == 403
    assert ChangeRequest.objects.filter(pk=change_request.pk).exists()


def test_expire_task__overdue_pending__expired_audited_and_target_free(make_user, launch_group):
    finance = make_user("finance")
    overdue = rename_request(finance, launch_group)

    with time_machine.travel(overdue.expires_at + timedelta(minutes=1), tick=False):
        recent = rename_request(finance, Group.objects.create(name="ops-crew"), new_name="o")
        expired = change_requests_expire_task.apply().get()

    assert expired == 1
    overdue.refresh_from_db()
    recent.refresh_from_db()
    assert overdue.status == "expired"
    assert recent.status == "pending"
    assert events("approval.expired", target_id=str(overdue.pk)).count() == 1
    refiled = rename_request(finance, launch_group, new_name="again")
    assert refiled.status == "pending"


@pytest.fixture
def eager_celery():
    from opsportal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def _email_contact(user):
    return ContactMethod.objects.create(user=user, kind="email", target=user.email)


def test_notifications__approvers_on_create_requester_on_decision(
    make_user, launch_group, super_admins, eager_celery, django_capture_on_commit_callbacks
):
    from apps.approvals.services import change_request_reject

    finance = make_user("finance")
    bystander = make_user("support")
    for person in (*super_admins, finance, bystander):
        _email_contact(person)

    with django_capture_on_commit_callbacks(execute=True):
        change_request = rename_request(finance, launch_group)

    to_approvers = sorted(address for m in mail.outbox for address in m.to)
    assert to_approvers == sorted(a.email for a in super_admins)
    assert all("Approval needed" in m.subject for m in mail.outbox)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        change_request_reject(
            actor=super_admins[0], change_request_id=change_request.pk, comment="Not now"
        )

    assert [m.to for m in mail.outbox] == [[finance.email]]
    assert "rejected" in mail.outbox[0].subject


# --- what the approval page tells people ------------------------------------------------


def test_approve_page__wrong_code_and_used_code__two_different_messages(
    make_user, verified_client, launch_group, super_admins
):
    approver = super_admins[0]
    first = rename_request(make_user("finance"), launch_group)
    second = rename_request(
        make_user("finance"), Group.objects.create(name="ops-crew"), new_name="ops-team"
    )
    client = verified_client(approver)
    code = fresh_code(approver)
    wrong = "111111" if code != "111111" else "222222"

    def approve(change_request, otp_code):
        return client.post(
            reverse("approvals:approve", args=[change_request.pk]),
            {"otp_code": otp_code, "payload_sha256": change_request.payload_sha256},
        )

    assert approve(first, code).status_code == 302
    used = approve(second, code).content.decode()
    wrong_answer = approve(second, wrong).content.decode()

    assert "This code was already used" in used
    assert "This code is not valid" not in used
    assert "This code is not valid" in wrong_answer
    assert "This code was already used" not in wrong_answer
    second.refresh_from_db()
    assert second.status == "pending"


def test_detail__requester_who_could_approve__told_why_not_and_that_they_can_cancel(
    verified_client, launch_group, super_admins
):
    requester = super_admins[0]
    change_request = rename_request(requester, launch_group)

    page = verified_client(requester).get(_detail(change_request)).content.decode()

    assert "Why you cannot decide it" in page
    assert "You cannot decide your own request" in page
    assert "you can withdraw it" in page
    assert reverse("approvals:cancel", args=[change_request.pk]) in page
    assert 'name="otp_code"' not in page


def test_detail__person_without_approve_permission__told_why_not(
    make_user, verified_client, launch_group
):
    change_request = rename_request(make_user("finance"), launch_group)

    page = verified_client(make_user("support")).get(_detail(change_request)).content.decode()

    assert "You may not decide this kind of change." in page
    assert reverse("approvals:cancel", args=[change_request.pk]) not in page


def test_detail__applied_request__result_shown_as_rows_not_a_python_dict(
    make_user, verified_client, launch_group, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)
    approver = super_admins[0]
    client = verified_client(approver)
    client.post(
        reverse("approvals:approve", args=[change_request.pk]),
        {"otp_code": fresh_code(approver), "payload_sha256": change_request.payload_sha256},
    )
    change_request.refresh_from_db()
    assert change_request.apply_result == {"group": launch_group.pk, "name": "launch-crew"}

    page = client.get(_detail(change_request)).content.decode()

    assert "<dt>name</dt><dd><code>launch-crew</code></dd>" in page
    assert f"<dt>group</dt><dd><code>{launch_group.pk}</code></dd>" in page
    assert "{&#x27;" not in page


def test_inbox__applied_request__no_python_dict_anywhere(
    make_user, verified_client, launch_group, super_admins
):
    change_request = rename_request(make_user("finance"), launch_group)
    approver = super_admins[0]
    client = verified_client(approver)
    client.post(
        reverse("approvals:approve", args=[change_request.pk]),
        {"otp_code": fresh_code(approver), "payload_sha256": change_request.payload_sha256},
    )

    page = client.get(reverse("approvals:inbox") + "?tab=history").content.decode()

    assert change_request.summary in page
    assert "{&#x27;" not in page
