"""Customers' wallets (a read model fed by ingestion)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.support.models.customers import Customer


class Wallet(models.Model):
    """A wallet a customer linked, on one network of the seed configuration.

    ``network`` is the seedconfig network's key (kept as text: a network removed from the
    configuration must not make its wallets unreadable). ``address`` is the canonical form
    (EIP-55 for EVM); ``address_norm`` is what search compares against: lower-case for
    EVM (addresses are case-insensitive there), as given for base58 (case matters).
    One customer has at most one primary wallet per network.
    """

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="wallets", verbose_name=_("customer")
    )
    network = models.CharField(_("network"), max_length=50)
    address = models.CharField(_("address"), max_length=100)
    address_norm = models.CharField(_("address (normalised)"), max_length=100)
    is_primary = models.BooleanField(_("primary"), default=False)
    linked_at = models.DateTimeField(_("linked at"), null=True, blank=True)
    ingested_at = models.DateTimeField(_("last changed by ingestion"), default=timezone.now)

    class Meta:
        ordering = ["customer_id", "network", "-is_primary", "id"]
        verbose_name = _("wallet")
        verbose_name_plural = _("wallets")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "address_norm"],
                name="support_wallet_network_address_unique",
                violation_error_message=_("This address is already linked on this network."),
            ),
            models.UniqueConstraint(
                fields=["customer", "network"],
                condition=Q(is_primary=True),
                name="support_wallet_one_primary_per_network",
                violation_error_message=_("A customer has one primary wallet per network."),
            ),
        ]
        indexes = [models.Index(fields=["customer", "network"], name="support_wallet_cust_idx")]

    def __str__(self) -> str:
        return f"{self.network}:{self.address}"
