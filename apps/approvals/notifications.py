"""Notifications of the approvals engine, sent through apps.notify after commit."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from apps.approvals import registry
from apps.approvals.models import ChangeRequest
from apps.approvals.rules import approve_permissions_for, people_holding


def _notify(user_ids: list[int], *, subject: str, body: str, event: str, dedupe_key: str) -> None:
    """Queue notifications once the transaction commits (never inside it)."""
    if not user_ids:
        return

    def send() -> None:
        from apps.notify.services import notify_people

        notify_people(
            users=user_ids, subject=subject, body=body, event=event, dedupe_key=dedupe_key
        )

    # robust: a failing notification must not turn a committed decision into an error.
    transaction.on_commit(send, robust=True)


def notify_approvers(
    change_request: ChangeRequest, handler: registry.ChangeHandler, behind_ids=()
) -> None:
    """Everyone who may decide the request: the approvers of its kind, less the
    requester and the people behind it."""
    perm = approve_permissions_for(handler, freeze_exception=change_request.freeze_exception)
    ids = list(
        people_holding(perm)
        .exclude(pk=change_request.requester_id)
        .exclude(pk__in=list(behind_ids))
        .values_list("pk", flat=True)
    )
    subject = _("Approval needed: %(summary)s") % {"summary": change_request.summary}
    body = _(
        "%(requester)s asks for a two-person change (request #%(id)s).\n"
        "Kind: %(kind)s\nReason: %(reason)s\nTicket: %(ticket)s\nExpires: %(expires)s"
    ) % {
        "requester": change_request.requester.username,
        "id": change_request.pk,
        "kind": change_request.kind,
        "reason": change_request.reason,
        "ticket": change_request.ticket or "-",
        "expires": change_request.expires_at.isoformat(),
    }
    if change_request.freeze_exception:
        body += "\n" + _("Freeze exception: %(reason)s") % {
            "reason": change_request.freeze_exception_reason
        }
    _notify(
        ids,
        subject=subject,
        body=body,
        event="approval.created",
        dedupe_key=f"approval:{change_request.pk}:created",
    )


def notify_requester(change_request: ChangeRequest) -> None:
    subject = _("Your change request #%(id)s is %(status)s") % {
        "id": change_request.pk,
        "status": change_request.get_status_display().lower(),
    }
    body = _("%(summary)s\nDecided by: %(by)s\nComment: %(comment)s") % {
        "summary": change_request.summary,
        "by": change_request.decided_by.username if change_request.decided_by else "-",
        "comment": change_request.decision_comment or "-",
    }
    _notify(
        [change_request.requester_id],
        subject=subject,
        body=body,
        event=f"approval.{change_request.status}",
        dedupe_key=f"approval:{change_request.pk}:{change_request.status}",
    )


def notify_tampered(change_request: ChangeRequest, *, detected_by) -> None:
    """Tell every super admin that a request's stored payload no longer matches its hash."""
    from apps.accounts.models import User
    from apps.accounts.roles import SUPER_ADMIN

    ids = list(
        User.objects.filter(groups__name=SUPER_ADMIN, is_active=True, is_service_account=False)
        .distinct()
        .values_list("pk", flat=True)
    )
    subject = _("Change request #%(id)s was tampered with") % {"id": change_request.pk}
    body = _(
        "The stored payload of request #%(id)s (%(summary)s) no longer matches the SHA-256 "
        "recorded when it was filed. Nothing was applied; the request ended as tampered.\n"
        "Noticed when %(person)s tried to approve it. Check who can write to the database."
    ) % {
        "id": change_request.pk,
        "summary": change_request.summary,
        "person": getattr(detected_by, "username", "-"),
    }
    _notify(
        ids,
        subject=subject,
        body=body,
        event="approval.tampered",
        dedupe_key=f"approval:{change_request.pk}:tampered",
    )
