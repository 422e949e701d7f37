"""Change requests under the two-person rule, and freeze windows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import AppendOnlyQuerySet


def default_expiry():
    return timezone.now() + timezone.timedelta(hours=settings.APPROVAL_TTL_HOURS)


class ChangeRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ChangeRequest.Status.PENDING)

    def overdue(self, now=None):
        return self.pending().filter(expires_at__lte=now or timezone.now())


class ChangeRequest(models.Model):
    """A proposed change that a second person must approve before it is applied.

    The payload is frozen at creation (canonical JSON and its SHA-256) together with the
    version of the target it was made against; approval applies it through the handler
    registered for ``kind`` (see ``apps.approvals.registry``) only if the target is still
    at that version and the payload still hashes to the stored SHA-256 (otherwise the
    request ends ``tampered``). Nobody behind the request (``PersonBehind``: the
    requester, and for a service account's token the people who created the token or the
    account or changed its scopes) can decide it — database-enforced — and only one
    request per target can be pending at a time.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        CONFLICT = "conflict", _("Conflict")
        TAMPERED = "tampered", _("Tampered")

    kind = models.CharField(_("kind"), max_length=100, db_index=True)
    target = models.CharField(_("target"), max_length=200, db_index=True)
    payload = models.JSONField(_("payload"))
    payload_sha256 = models.CharField(_("payload SHA-256"), max_length=64)
    base_version = models.CharField(_("base version"), max_length=100, blank=True)
    diff = models.JSONField(_("diff"), default=list, blank=True)
    summary = models.CharField(_("summary"), max_length=300)
    reason = models.TextField(_("reason"))
    ticket = models.CharField(_("ticket"), max_length=200, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="change_requests",
        verbose_name=_("requester"),
    )
    filed_with_token = models.ForeignKey(
        "accounts.ApiToken",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("filed with token"),
        help_text=_("The API token a service account filed the request with."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires at"), default=default_expiry)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="decided_change_requests",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    apply_result = models.JSONField(_("apply result"), null=True, blank=True)
    freeze_exception = models.BooleanField(_("freeze exception"), default=False)
    freeze_exception_reason = models.TextField(_("freeze exception reason"), blank=True)
    bootstrap = models.BooleanField(
        _("bootstrap"),
        default=False,
        help_text=_(
            "Applied without a second person: the grant of the second super admin while "
            "only one existed."
        ),
    )

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        permissions = [
            ("approve_change", _("Can approve two-person changes")),
            ("grant_freeze_exception", _("Can approve changes during a freeze")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requester")),
                name="approvals_changerequest_decider_not_requester",
                violation_error_message=_("The requester cannot decide their own request."),
            ),
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(status="pending"),
                name="approvals_changerequest_one_pending_per_target",
                violation_error_message=_("A pending request for this target already exists."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["applied", "rejected"])
                | Q(decided_by__isnull=False)
                | Q(bootstrap=True, status="applied"),
                name="approvals_changerequest_decision_has_decider",
                violation_error_message=_("An applied or rejected request names who decided."),
            ),
            models.CheckConstraint(
                condition=Q(freeze_exception=False) | ~Q(freeze_exception_reason=""),
                name="approvals_changerequest_freeze_exception_has_reason",
                violation_error_message=_("A freeze exception needs a reason."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="approvals_changerequest_reason_required",
                violation_error_message=_("A reason is required."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.target} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and self.expires_at <= timezone.now()


class PersonBehind(models.Model):
    """A person behind a change request, who therefore may not decide it.

    Written when the request is filed (the requester; for a service account's token the
    people who created the token or the account or changed the token's scopes; people a
    handler names) and completed when someone tries to decide it, from the same durable
    records (``apps.approvals.behind``). Rows are never changed or removed. A database
    trigger refuses recording one of these people as the request's decider.
    """

    class Reason(models.TextChoices):
        REQUESTER = "requester", _("filed it")
        TOKEN_CREATOR = "token_creator", _("created the token it was filed with")
        ACCOUNT_CREATOR = "account_creator", _("created the service account that filed it")
        SCOPE_CHANGER = "scope_changer", _("changed the scopes of the token it was filed with")
        NAMED = "named", _("is named by the change")

    change_request = models.ForeignKey(
        ChangeRequest,
        on_delete=models.CASCADE,
        related_name="people_behind",
        verbose_name=_("change request"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["change_request_id", "id"]
        verbose_name = _("person behind a change request")
        verbose_name_plural = _("people behind change requests")
        constraints = [
            models.UniqueConstraint(
                fields=["change_request", "person", "reason"],
                name="approvals_personbehind_unique",
                violation_error_message=_("This person is already recorded for this reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.change_request_id}: {self.person_id} {self.reason}"


class FreezeWindowQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(starts_at__lte=now, ends_at__gt=now)

    def current_and_upcoming(self, now=None):
        return self.filter(ends_at__gt=now or timezone.now())


class FreezeWindow(models.Model):
    """A period (code freeze, config freeze) during which some change kinds are frozen.

    A change request of a frozen kind made during the window is refused unless the
    requester marks it as a freeze exception with a reason; such an exception is then
    approved only by someone holding ``approvals.grant_freeze_exception``. An empty list
    of frozen kinds freezes every kind whose handler is freezable.
    """

    class Kind(models.TextChoices):
        CODE_FREEZE = "code_freeze", _("Code freeze")
        CONFIG_FREEZE = "config_freeze", _("Config freeze")

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    frozen_kinds = models.JSONField(
        _("frozen change kinds"),
        default=list,
        blank=True,
        help_text=_("Change kinds frozen during the window; empty freezes every kind."),
    )
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("ended early by"),
    )
    ended_at = models.DateTimeField(_("ended early at"), null=True, blank=True)

    objects = FreezeWindowQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("freeze window")
        verbose_name_plural = _("freeze windows")
        permissions = [("manage_freeze", _("Can create and end freeze windows"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="approvals_freezewindow_ends_after_start",
                violation_error_message=_("The window must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def freezes(self, kind: str) -> bool:
        """Does this window freeze change requests of ``kind``?"""
        return not self.frozen_kinds or kind in self.frozen_kinds

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at
