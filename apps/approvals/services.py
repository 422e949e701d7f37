"""The two-person rule: every write on change requests (see DESIGN.md "Approvals").

A change request is filed by one person and decided by another. Approval happens in one
transaction: the row is locked, must still be pending and unexpired, the approver must
not be anyone behind the request (the requester; for a service account's token the
people who created the token or the account or changed its scopes; people the handler
names — see ``apps.approvals.behind``; also a database guard), must hold the approve
permission for the kind and must have typed a fresh OTP code. The stored payload must
still hash to the stored SHA-256, which must be the one recorded when the request was
filed (otherwise the request ends as ``tampered``, nothing is applied and the super
admins are told); the hash the approver was shown, when sent back, must be that one too
(otherwise: refused, look again). The target must still be at the version the request
was made against (otherwise the request ends as ``conflict`` and nothing is applied).
Then the kind's handler applies the payload in the same transaction. Because the row is
locked and its status checked under the lock, two approvals racing apply once.

Refusals raise ``ApprovalRefused`` (a stable ``code`` and a message for people). Outcomes
that are recorded rather than refused — an overdue request marked ``expired``, a stale
one marked ``conflict`` — are returned: check ``change_request.status``. Callers must not
roll back around those outcomes (or around a refused request during a freeze, whose
refusal is audited); the API and page views answer with an error instead of raising.
A ``tampered`` outcome is recorded and returned the same way.

Who may approve a freeze exception: ``approvals.grant_freeze_exception`` is required
and sufficient. The issue gives that permission to the incident commander, who does not
hold ``approvals.approve_change``; during a freeze the incident commander is the person
who decides whether a change may go out at all. A super admin without the freeze
permission cannot approve an exception.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import policy
from apps.approvals import behind, registry
from apps.approvals.canonical import canonical_payload, payload_digest
from apps.approvals.freeze import active_freeze_for
from apps.approvals.integrity import mark_tampered, payload_mismatch
from apps.approvals.models import ChangeRequest
from apps.approvals.notifications import notify_approvers, notify_requester
from apps.approvals.rules import (  # noqa: F401  (re-exported for views and selectors)
    GRANT_FREEZE_EXCEPTION,
    approve_permissions_for,
    can_decide,
    super_admin_count,
)
from apps.approvals.signals import announce
from apps.core.events import record_event
from apps.core.logging import get_logger

log = get_logger(__name__)

MAX_TEXT = 2000
# Refusals of the step-up code; each counts as a failed second factor.
OTP_REFUSAL_CODES = frozenset({"otp_invalid", "otp_used", "otp_throttled"})


class ApprovalRefused(Exception):
    """A change-request action was refused; nothing changed (except an audit record).

    ``code`` is stable for programs; ``message`` is for people; ``status`` is the HTTP
    status the API answers with; ``extra`` holds more for programs (e.g. the people
    behind a request).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status: int = 400,
        field: str | None = None,
        extra: dict | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.field = field
        self.extra = extra or {}


# --- helpers -------------------------------------------------------------------------


def _handler(kind: str) -> registry.ChangeHandler:
    try:
        return registry.get_handler(kind)
    except KeyError:
        raise ValidationError(
            {"kind": [_("Unknown change kind '%(kind)s'.") % {"kind": kind}]}
        ) from None


def _require_person(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))
    if getattr(actor, "is_service_account", False):
        raise ApprovalRefused(
            _("Service accounts cannot file or decide two-person changes."),
            code="service_account_refused",
            status=403,
        )


def _require_requester(actor, handler: registry.ChangeHandler, token) -> None:
    """A person with the kind's request permission, or a service account acting through
    a token of its own that holds the kind's ``token_scope`` (filing only)."""
    if token is not None and getattr(actor, "is_service_account", False):
        if (
            handler.token_scope
            and getattr(token, "service_account_id", None) == actor.pk
            and policy.token_allows(token, handler.token_scope)
        ):
            return
        raise ApprovalRefused(
            _("Service tokens may not file this kind of change."),
            code="service_account_refused",
            status=403,
        )
    _require_person(actor)
    if not policy.can(actor, handler.request_permission):
        raise PermissionDenied(_("You may not request this kind of change."))


def _event_data(change_request: ChangeRequest, **extra) -> dict:
    data = {
        "change_request": change_request.pk,
        "kind": change_request.kind,
        "target": change_request.target,
        "payload_sha256": change_request.payload_sha256,
        "status": change_request.status,
    }
    data.update(extra)
    return data


def _clean_text(value: str | None, field: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: [_("This field is required.")]})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: [_("At most %(n)s characters.") % {"n": MAX_TEXT}]})
    return text


def _mark_expired(change_request: ChangeRequest, now) -> ChangeRequest:
    """Inside a transaction with the row locked."""
    change_request.status = ChangeRequest.Status.EXPIRED
    change_request.decided_at = now
    change_request.save(update_fields=["status", "decided_at"])
    record_event(
        "approval.expired", actor=None, target=change_request, data=_event_data(change_request)
    )
    log.info("approval.expired", change_request=change_request.pk, kind=change_request.kind)
    notify_requester(change_request)
    announce(change_request, "expired")
    return change_request


def _pending_on_target(target: str) -> ChangeRequest | None:
    """The pending request on ``target``, after expiring it if it is overdue."""
    existing = (
        ChangeRequest.objects.select_for_update()
        .filter(target=target, status=ChangeRequest.Status.PENDING)
        .first()
    )
    if existing is not None and existing.is_overdue:
        _mark_expired(existing, timezone.now())
        return None
    return existing


def _pending_exists(existing: ChangeRequest) -> ApprovalRefused:
    return ApprovalRefused(
        _(
            "Request #%(id)s by %(requester)s is already pending for this target "
            "(%(summary)s); approve, reject or cancel it first."
        )
        % {
            "id": existing.pk,
            "requester": existing.requester.username,
            "summary": existing.summary,
        },
        code="pending_request_exists",
        status=409,
    )


# --- create --------------------------------------------------------------------------


def change_request_create(
    *,
    actor,
    kind: str,
    payload: dict,
    reason: str,
    ticket: str = "",
    freeze_exception_reason: str = "",
    token=None,
) -> ChangeRequest:
    """File a two-person change request of ``kind``.

    ``token``: the API token a service account acts through; it may file (never decide)
    a request of a kind whose handler names a ``token_scope`` the token holds.

    Refused (``ApprovalRefused``) while fewer than two super admins exist — except the
    one change the handler allows a lone super admin (the second super admin's grant),
    which is applied at once and recorded as a ``bootstrap`` request — during a freeze
    window of this kind without a freeze-exception reason (the refusal is audited), and
    when a request on the same target is already pending.
    """
    if token is None:
        _require_person(actor)
    handler = _handler(kind)
    _require_requester(actor, handler, token)
    reason = _clean_text(reason, "reason", required=True)
    ticket = _clean_text(ticket, "ticket", required=False)[:200]
    exception_reason = _clean_text(
        freeze_exception_reason, "freeze_exception_reason", required=False
    )
    payload = canonical_payload(handler.validate(canonical_payload(payload)))
    handler.check_requester(payload=payload, actor=actor)
    target = handler.target(payload)
    filed_with = token if getattr(actor, "is_service_account", False) else None

    window = active_freeze_for(kind) if handler.freezable else None
    if window is not None and not exception_reason:
        with transaction.atomic():
            record_event(
                "approval.freeze_refused",
                actor=actor,
                target=window,
                data={
                    "kind": kind,
                    "target": target,
                    "freeze_window": window.pk,
                    "payload_sha256": payload_digest(payload),
                },
            )
        log.info("approval.freeze_refused", kind=kind, freeze_window=window.pk, actor=actor.pk)
        raise ApprovalRefused(
            _(
                "'%(window)s' freezes %(kind)s changes until %(until)s. Mark the request as "
                "a freeze exception with a reason, or wait for the window to end."
            )
            % {"window": window.name, "kind": kind, "until": window.ends_at.isoformat()},
            code="frozen",
            status=409,
            field="freeze_exception_reason",
        )

    bootstrap = False
    if super_admin_count() < 2:
        if not handler.allows_bootstrap(payload=payload, actor=actor):
            raise ApprovalRefused(
                _(
                    "Two super admins are needed before any two-person change can be made; "
                    "grant the second one first."
                ),
                code="two_super_admins_needed",
                status=409,
            )
        bootstrap = True

    with transaction.atomic():
        existing = _pending_on_target(target)
        if existing is not None:
            raise _pending_exists(existing)
        now = timezone.now()
        change_request = ChangeRequest(
            kind=kind,
            target=target,
            payload=payload,
            payload_sha256=payload_digest(payload),
            base_version=str(handler.current_version(target) or ""),
            diff=canonical_payload({"rows": handler.diff(payload)})["rows"],
            summary=str(handler.describe(payload))[:300],
            reason=reason,
            ticket=ticket,
            requester=actor,
            filed_with_token=filed_with,
            created_at=now,
            expires_at=now + timedelta(hours=settings.APPROVAL_TTL_HOURS),
            freeze_exception=window is not None,
            freeze_exception_reason=exception_reason if window is not None else "",
        )
        change_request.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                change_request.save()
        except IntegrityError:
            # Another request on this target was filed at the same moment.
            existing = ChangeRequest.objects.pending().filter(target=target).first()
            if existing is None:
                raise
            raise _pending_exists(existing) from None
        people = behind.people_behind(requester=actor, token=filed_with, kind=kind, payload=payload)
        behind.record_people_behind(change_request, people)
        record_event(
            "approval.created",
            actor=actor,
            target=change_request,
            data=_event_data(
                change_request,
                freeze_exception=change_request.freeze_exception,
                freeze_window=window.pk if window is not None else None,
                filed_with_token=filed_with.prefix if filed_with is not None else None,
                people_behind=sorted({row.person_id for row in people}),
            ),
        )
        log.info(
            "approval.created",
            change_request=change_request.pk,
            kind=kind,
            actor=actor.pk,
            freeze_exception=change_request.freeze_exception,
        )
        announce(change_request, "created", actor)
        if bootstrap:
            return _apply_bootstrap(change_request, handler, actor)
        notify_approvers(change_request, handler, behind_ids={row.person_id for row in people})
    return change_request


def _apply_bootstrap(change_request, handler, actor) -> ChangeRequest:
    """Apply the one change a lone super admin may make (inside the create transaction)."""
    result = handler.apply(change_request=change_request, actor=actor)
    change_request.status = ChangeRequest.Status.APPLIED
    change_request.bootstrap = True
    change_request.decided_at = timezone.now()
    change_request.decision_comment = _(
        "Applied without a second person: fewer than two super admins existed."
    )
    change_request.apply_result = canonical_payload({"result": result or {}})["result"]
    change_request.save(
        update_fields=["status", "bootstrap", "decided_at", "decision_comment", "apply_result"]
    )
    record_event(
        "approval.bootstrap_applied",
        actor=actor,
        target=change_request,
        data=_event_data(change_request),
    )
    log.info("approval.bootstrap_applied", change_request=change_request.pk, actor=actor.pk)
    announce(change_request, "applied", actor)
    return change_request


# --- decide --------------------------------------------------------------------------


def _check_decidable(
    change_request: ChangeRequest, actor, *, verb: str, record: bool = False
) -> registry.ChangeHandler:
    """Refuse anyone behind the request, then anyone without the kind's permission.

    ``record=True`` (inside the decision transaction) stores people newly found behind
    the request, so that the database guard covers them too.
    """
    if change_request.requester_id == actor.pk:
        raise ApprovalRefused(
            _("You cannot %(verb)s your own request; another person must decide it.")
            % {"verb": verb},
            code="own_request",
            status=403,
        )
    people = behind.people_behind_now(change_request, record=record)
    if behind.reasons_of(actor, people):
        shown = behind.describe(change_request, people)
        raise ApprovalRefused(
            behind.refusal_message(change_request, actor, people, verb=verb),
            code="person_behind",
            status=403,
            extra={"filed_by": shown["filed_by"], "people_behind": shown["people"]},
        )
    try:
        handler = registry.get_handler(change_request.kind)
    except KeyError:
        raise ApprovalRefused(
            _("No handler is registered for '%(kind)s'.") % {"kind": change_request.kind},
            code="unknown_kind",
            status=409,
        ) from None
    perm = approve_permissions_for(handler, freeze_exception=change_request.freeze_exception)
    if not policy.can(actor, perm):
        if change_request.freeze_exception:
            message = _("Only someone who may grant freeze exceptions can decide this request.")
        else:
            message = _("You may not decide this kind of change.")
        raise ApprovalRefused(message, code="permission_denied", status=403)
    return handler


def _not_pending(change_request: ChangeRequest) -> ApprovalRefused:
    return ApprovalRefused(
        _("Request #%(id)s is %(status)s, not pending.")
        % {"id": change_request.pk, "status": change_request.get_status_display().lower()},
        code="not_pending",
        status=409,
    )


def _locked(change_request_id) -> ChangeRequest:
    try:
        return ChangeRequest.objects.select_for_update().get(pk=change_request_id)
    except (ChangeRequest.DoesNotExist, ValueError, TypeError):
        raise ApprovalRefused(_("No such change request."), code="not_found", status=404) from None


def _payload_changed(change_request: ChangeRequest) -> ApprovalRefused:
    return ApprovalRefused(
        _(
            "Request #%(id)s is not the one you were shown (its payload SHA-256 is %(sha)s). "
            "Open it again, check the change and approve what you see."
        )
        % {"id": change_request.pk, "sha": change_request.payload_sha256},
        code="payload_changed",
        status=409,
        field="payload_sha256",
    )


def _clean_echoed_sha256(value) -> str | None:
    if value is None:
        if settings.APPROVAL_REQUIRE_PAYLOAD_SHA256:
            raise ValidationError(
                {"payload_sha256": [_("Send the payload SHA-256 of the request you were shown.")]}
            )
        return None
    text = str(value).strip().lower()
    if not text:
        raise ValidationError({"payload_sha256": [_("This field may not be blank.")]})
    return text


def _otp_refusal(status: str) -> ApprovalRefused:
    from apps.accounts import mfa

    if status == mfa.USED:
        message = _(
            "This code was already used. Wait for the next code in your authenticator app "
            "and type that one to approve."
        )
        code = "otp_used"
    elif status == mfa.THROTTLED:
        message = _(
            "This code could not be checked: after a wrong code your authenticator is "
            "refused for a few seconds. Wait, then type the code it shows."
        )
        code = "otp_throttled"
    else:
        message = _(
            "This code is not valid. Type a fresh code from your authenticator app to approve."
        )
        code = "otp_invalid"
    return ApprovalRefused(message, code=code, status=400, field="otp_code")


def change_request_approve(
    *,
    actor,
    change_request_id,
    otp_code: str,
    comment: str = "",
    payload_sha256: str | None = None,
) -> ChangeRequest:
    """Approve and apply a pending request; returns it with its final status.

    ``payload_sha256``: the payload hash the approver was shown (the page's form always
    sends it; optional in the API unless ``APPROVAL_REQUIRE_PAYLOAD_SHA256``). When it is
    not the request's, the approval is refused (``payload_changed``) and nothing changes.

    The status is ``applied`` on success; ``expired`` if it was overdue, ``tampered`` if
    the stored payload no longer matches its SHA-256 and ``conflict`` if its target
    changed since the request (nothing applied in those cases).
    """
    _require_person(actor)
    comment = _clean_text(comment, "comment", required=False)
    echoed = _clean_echoed_sha256(payload_sha256)
    # Cheap checks first, so a code is not spent on a request this person cannot approve.
    try:
        peek = ChangeRequest.objects.select_related("requester").get(pk=change_request_id)
    except (ChangeRequest.DoesNotExist, ValueError, TypeError):
        raise ApprovalRefused(_("No such change request."), code="not_found", status=404) from None
    if not peek.is_pending:
        raise _not_pending(peek)
    _check_decidable(peek, actor, verb=_("approve"))
    if echoed is not None and echoed != peek.payload_sha256 and payload_mismatch(peek) is None:
        raise _payload_changed(peek)
    # Verified outside the approval transaction: a wrong code must stay counted (and the
    # accepted one spent) even when the approval itself is refused and rolled back.
    from apps.accounts.mfa import FRESH, check_fresh_code

    code_status = check_fresh_code(actor, otp_code or "")
    if code_status != FRESH:
        log.info("approval.otp_refused", change_request=peek.pk, actor=actor.pk, why=code_status)
        raise _otp_refusal(code_status)

    with transaction.atomic():
        change_request = _locked(change_request_id)
        if not change_request.is_pending:
            raise _not_pending(change_request)
        now = timezone.now()
        if change_request.expires_at <= now:
            return _mark_expired(change_request, now)
        handler = _check_decidable(change_request, actor, verb=_("approve"), record=True)
        mismatch = payload_mismatch(change_request)
        if mismatch is not None:
            tampered = mark_tampered(change_request, actor=actor, mismatch=mismatch, now=now)
            announce(tampered, "tampered", actor)
            return tampered
        if echoed is not None and echoed != change_request.payload_sha256:
            raise _payload_changed(change_request)
        if not change_request.freeze_exception and handler.freezable:
            window = active_freeze_for(change_request.kind)
            if window is not None:
                raise ApprovalRefused(
                    _(
                        "'%(window)s' began after this request was filed and freezes this "
                        "kind of change; cancel it and file it again as a freeze exception."
                    )
                    % {"window": window.name},
                    code="frozen",
                    status=409,
                )
        change_request.decided_by = actor
        change_request.decided_at = now
        change_request.decision_comment = comment
        current = str(handler.current_version(change_request.target) or "")
        if current != change_request.base_version:
            change_request.status = ChangeRequest.Status.CONFLICT
            change_request.apply_result = {
                "base_version": change_request.base_version,
                "current_version": current,
            }
            change_request.save()
            record_event(
                "approval.conflict",
                actor=actor,
                target=change_request,
                data=_event_data(change_request, current_version=current),
            )
            log.info("approval.conflict", change_request=change_request.pk, actor=actor.pk)
            notify_requester(change_request)
            announce(change_request, "conflict", actor)
            return change_request
        result = handler.apply(change_request=change_request, actor=actor)
        change_request.status = ChangeRequest.Status.APPLIED
        change_request.apply_result = canonical_payload({"result": result or {}})["result"]
        change_request.full_clean(validate_constraints=False)
        change_request.save()
        record_event(
            "approval.applied",
            actor=actor,
            target=change_request,
            data=_event_data(change_request, freeze_exception=change_request.freeze_exception),
        )
        log.info(
            "approval.applied",
            change_request=change_request.pk,
            kind=change_request.kind,
            actor=actor.pk,
        )
        notify_requester(change_request)
        announce(change_request, "applied", actor)
    return change_request


@transaction.atomic
def change_request_reject(*, actor, change_request_id, comment: str) -> ChangeRequest:
    """Reject a pending request; a comment saying why is required."""
    _require_person(actor)
    comment = _clean_text(comment, "comment", required=True)
    change_request = _locked(change_request_id)
    if not change_request.is_pending:
        raise _not_pending(change_request)
    now = timezone.now()
    if change_request.expires_at <= now:
        return _mark_expired(change_request, now)
    _check_decidable(change_request, actor, verb=_("reject"), record=True)
    change_request.status = ChangeRequest.Status.REJECTED
    change_request.decided_by = actor
    change_request.decided_at = now
    change_request.decision_comment = comment
    change_request.save()
    record_event(
        "approval.rejected",
        actor=actor,
        target=change_request,
        data=_event_data(change_request, comment=comment),
    )
    log.info("approval.rejected", change_request=change_request.pk, actor=actor.pk)
    notify_requester(change_request)
    announce(change_request, "rejected", actor)
    return change_request


@transaction.atomic
def change_request_cancel(*, actor, change_request_id) -> ChangeRequest:
    """The requester withdraws their pending request."""
    _require_person(actor)
    change_request = _locked(change_request_id)
    if change_request.requester_id != actor.pk:
        raise ApprovalRefused(
            _("Only the requester can cancel a request."), code="not_requester", status=403
        )
    if not change_request.is_pending:
        raise _not_pending(change_request)
    change_request.status = ChangeRequest.Status.CANCELLED
    change_request.decided_at = timezone.now()
    change_request.save(update_fields=["status", "decided_at"])
    record_event(
        "approval.cancelled", actor=actor, target=change_request, data=_event_data(change_request)
    )
    log.info("approval.cancelled", change_request=change_request.pk, actor=actor.pk)
    announce(change_request, "cancelled", actor)
    return change_request


def change_requests_expire() -> int:
    """Mark every overdue pending request as expired; returns how many."""
    expired = 0
    for change_request_id in ChangeRequest.objects.overdue().values_list("pk", flat=True):
        with transaction.atomic():
            change_request = ChangeRequest.objects.select_for_update().get(pk=change_request_id)
            if change_request.is_overdue:
                _mark_expired(change_request, timezone.now())
                expired += 1
    return expired
