"""Fee events: what fee was charged and how it was split (read by reconciliation)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.support.models.rounds import amount_field


class FeeEvent(models.Model):
    """One fee the platform charged: its kind (the fee rule's key), the amount, the split
    actually paid to each recipient (``{"treasury": "700", "referral": "300"}``, minor
    units as decimal strings) and the configuration version whose fee rule was in force.
    """

    event_id = models.CharField(_("event id"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=100)
    network = models.CharField(_("network"), max_length=50, blank=True)
    tx_hash = models.CharField(_("transaction"), max_length=100, blank=True)
    round_ref = models.PositiveBigIntegerField(_("round"), null=True, blank=True)
    customer_external_id = models.CharField(_("customer"), max_length=150, blank=True)
    amount = amount_field(_("amount"))
    asset = models.CharField(_("asset"), max_length=20, blank=True)
    splits = models.JSONField(_("split paid"), default=dict, blank=True)
    fee_rule_version = models.PositiveIntegerField(_("fee rule version"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    ingested_at = models.DateTimeField(_("last changed by ingestion"), default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("fee event")
        verbose_name_plural = _("fee events")
        indexes = [models.Index(fields=["occurred_at"], name="support_fee_occurred_idx")]

    def __str__(self) -> str:
        return self.event_id
