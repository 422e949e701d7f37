"""Claims and refunds owed to customers (read models fed by ingestion)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.support.models.choices import ClaimStatus, ClaimType, RefundStatus
from apps.support.models.customers import Customer
from apps.support.models.rounds import amount_field


class Claim(models.Model):
    """A vesting, referral or SBT claim: what is claimable and how claiming went.

    The transaction is named by (``tx_network``, ``tx_hash``) rather than a foreign key, so
    a claim may arrive before its transaction.
    """

    claim_id = models.CharField(_("claim id"), max_length=100, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="claims", verbose_name=_("customer")
    )
    claim_type = models.CharField(_("type"), max_length=20, choices=ClaimType.choices)
    round_ref = models.PositiveBigIntegerField(_("round"), null=True, blank=True)
    network = models.CharField(_("network"), max_length=50, blank=True)
    amount = amount_field(_("amount"), default=0)
    asset = models.CharField(_("asset"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ClaimStatus.choices)
    failure_reason = models.CharField(_("failure reason"), max_length=500, blank=True)
    tx_hash = models.CharField(_("transaction"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), null=True, blank=True)
    ingested_at = models.DateTimeField(_("last changed by ingestion"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        indexes = [models.Index(fields=["customer", "-id"], name="support_claim_customer_idx")]

    def __str__(self) -> str:
        return self.claim_id


class Refund(models.Model):
    """A refund owed for a failed or cancelled round, and how paying it went."""

    refund_id = models.CharField(_("refund id"), max_length=100, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="refunds", verbose_name=_("customer")
    )
    round_ref = models.PositiveBigIntegerField(_("round"))
    network = models.CharField(_("network"), max_length=50, blank=True)
    amount = amount_field(_("amount"), default=0)
    asset = models.CharField(_("asset"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RefundStatus.choices)
    failure_reason = models.CharField(_("failure reason"), max_length=500, blank=True)
    tx_hash = models.CharField(_("transaction"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), null=True, blank=True)
    ingested_at = models.DateTimeField(_("last changed by ingestion"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        indexes = [models.Index(fields=["customer", "-id"], name="support_refund_customer_idx")]

    def __str__(self) -> str:
        return self.refund_id
