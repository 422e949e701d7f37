"""The platform's customers as support sees them (a read model fed by ingestion)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.support.models.choices import BlueCheckStatus, KycStatus, Language


class Customer(models.Model):
    """One customer of the platform: profile, KYC, blue check and referral state.

    ``external_id`` is the platform's id and the natural key of ingestion; it is also the
    value of the ``user`` scope of flag states (a claim freeze names it). The
    ``*_norm`` columns hold what search compares against (lower-case email and handle,
    case-folded name), written at ingest so every lookup is an index look-up.
    ``ingested_at`` changes only when a record really changed something.
    """

    external_id = models.CharField(_("external id"), max_length=150)
    email = models.CharField(_("email"), max_length=254, blank=True)
    email_norm = models.CharField(_("email (normalised)"), max_length=254, blank=True)
    handle = models.CharField(_("handle"), max_length=64, blank=True)
    handle_norm = models.CharField(_("handle (normalised)"), max_length=64, blank=True)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    name_norm = models.CharField(_("display name (normalised)"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.EN
    )
    platform_created_at = models.DateTimeField(_("joined the platform"), null=True, blank=True)
    kyc_status = models.CharField(
        _("KYC status"), max_length=20, choices=KycStatus.choices, default=KycStatus.NOT_STARTED
    )
    kyc_rejection_reason = models.CharField(_("KYC rejection reason"), max_length=500, blank=True)
    bluecheck_status = models.CharField(
        _("blue check"),
        max_length=20,
        choices=BlueCheckStatus.choices,
        default=BlueCheckStatus.NONE,
    )
    bluecheck_expires_at = models.DateTimeField(_("blue check expires"), null=True, blank=True)
    referrer_external_id = models.CharField(_("referred by"), max_length=150, blank=True)
    active_referral_count = models.PositiveIntegerField(_("active referrals"), default=0)
    banned = models.BooleanField(_("banned"), default=False)
    ingested_at = models.DateTimeField(_("last changed by ingestion"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [
            ("view_amounts", _("Can see amounts of customers' transactions")),
            ("reveal_pii", _("Can reveal customers' email and names (with a reason)")),
            ("manage_cannedreply", _("Can manage canned replies (support lead)")),
            ("review_lookups", _("Can review support lookups by agent (support lead)")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                name="support_customer_external_id_unique",
                violation_error_message=_("A customer with this external id exists."),
            ),
            models.CheckConstraint(
                condition=Q(kyc_status__in=KycStatus.values),
                name="support_customer_kyc_status_valid",
                violation_error_message=_("Unknown KYC status."),
            ),
        ]
        indexes = [
            models.Index(fields=["email_norm"], name="support_cust_email_idx"),
            models.Index(fields=["handle_norm"], name="support_cust_handle_idx"),
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def handle_display(self) -> str:
        return f"@{self.handle}" if self.handle else ""

    def bluecheck_active(self, now=None) -> bool:
        """Active now: status active and not past its expiry (if it has one)."""
        if self.bluecheck_status != BlueCheckStatus.ACTIVE:
            return False
        now = now or timezone.now()
        return self.bluecheck_expires_at is None or self.bluecheck_expires_at > now
