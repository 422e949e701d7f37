"""Platform transactions on chain (a read model fed by ingestion)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.support.models.choices import TxKind, TxStatus
from apps.support.models.customers import Customer
from apps.support.models.rounds import amount_field


class Transaction(models.Model):
    """One transaction the platform sent or saw: contribute, claim, refund, payout, fee or
    blue check, with its status and times.

    The natural key is (network, hash). ``tx_hash`` is stored canonical: EVM hashes as
    ``0x`` + 64 lower-case hex digits, Tron ids as 64 lower-case hex digits, Solana
    signatures as base58. ``round_ref`` is the platform's round id (no foreign key: a
    transaction may arrive before its round). ``amount`` is in minor units of ``asset``.
    """

    network = models.CharField(_("network"), max_length=50)
    tx_hash = models.CharField(_("hash"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=TxKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=TxStatus.choices)
    amount = amount_field(_("amount"), default=0)
    asset = models.CharField(_("asset"), max_length=20, blank=True)
    from_address = models.CharField(_("from"), max_length=100, blank=True)
    to_address = models.CharField(_("to"), max_length=100, blank=True)
    round_ref = models.PositiveBigIntegerField(_("round"), null=True, blank=True)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="transactions",
        verbose_name=_("customer"),
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=500, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    ingested_at = models.DateTimeField(_("last changed by ingestion"), default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "tx_hash"],
                name="support_tx_network_hash_unique",
                violation_error_message=_("This transaction exists on this network."),
            ),
        ]
        indexes = [
            # The customer page's recent transactions and their keyset pagination.
            models.Index(
                fields=["customer", "-submitted_at", "-id"], name="support_tx_customer_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network}:{self.tx_hash}"

    def is_stuck(self, now, stuck_after) -> bool:
        """Pending for longer than ``stuck_after`` (a timedelta)."""
        return self.status == TxStatus.PENDING and self.submitted_at <= now - stuck_after
