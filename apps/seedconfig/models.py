"""The seed configuration: networks, assets, treasury wallets, fee rules, limits, versions.

The live tables are written only by applying an approved change request
(``apps.seedconfig.handlers.SeedConfigChangeHandler.apply``); each application appends a
``ConfigVersion`` holding the canonical JSON snapshot of the whole configuration. RPC
endpoints are secrets: stored encrypted, and only a count and a keyed fingerprint of them
ever leave this module's secret-aware code.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.crypto import EncryptedTextField

BPS_TOTAL = 10000


class Network(models.Model):
    """A chain the platform sends or receives funds on (EVM with a chain id, Solana, Tron)."""

    class Kind(models.TextChoices):
        EVM = "evm", _("EVM")
        SOLANA = "solana", _("Solana")
        TRON = "tron", _("Tron")

    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    chain_id = models.PositiveBigIntegerField(_("chain id"), null=True, blank=True)
    is_testnet = models.BooleanField(_("testnet"), default=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    # A JSON list of URLs, encrypted. Never rendered, logged, diffed or audited.
    rpc_endpoints = EncryptedTextField(_("RPC endpoints"), blank=True, default="")

    class Meta:
        ordering = ["key"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        constraints = [
            models.UniqueConstraint(
                fields=["chain_id"],
                condition=Q(kind="evm"),
                name="seedconfig_network_evm_chain_id_unique",
                violation_error_message=_("Another EVM network already has this chain id."),
            ),
            models.CheckConstraint(
                condition=(Q(kind="evm") & Q(chain_id__isnull=False))
                | (~Q(kind="evm") & Q(chain_id__isnull=True)),
                name="seedconfig_network_chain_id_only_evm",
                violation_error_message=_("An EVM network needs a chain id; others have none."),
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def rpc_endpoint_list(self) -> list[str]:
        if not self.rpc_endpoints:
            return []
        return list(json.loads(self.rpc_endpoints))


class Asset(models.Model):
    """A coin on a network: its native coin or a token contract, with its decimals."""

    class Kind(models.TextChoices):
        NATIVE = "native", _("Native")
        CONTRACT = "contract", _("Contract")

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="assets", verbose_name=_("network")
    )
    symbol = models.CharField(_("symbol"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    contract_address = models.CharField(_("contract address"), max_length=100, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimals"), validators=[MaxValueValidator(36)])

    class Meta:
        ordering = ["network__key", "symbol"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "symbol"],
                name="seedconfig_asset_symbol_unique_per_network",
                violation_error_message=_("This network already has an asset with this symbol."),
            ),
            models.UniqueConstraint(
                fields=["network"],
                condition=Q(kind="native"),
                name="seedconfig_asset_one_native_per_network",
                violation_error_message=_("A network has one native asset."),
            ),
            models.CheckConstraint(
                condition=(Q(kind="native") & Q(contract_address=""))
                | (Q(kind="contract") & ~Q(contract_address="")),
                name="seedconfig_asset_contract_address_iff_contract",
                violation_error_message=_(
                    "A contract asset needs a contract address; a native one has none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(decimals__lte=36),
                name="seedconfig_asset_decimals_at_most_36",
                violation_error_message=_("Decimals must be between 0 and 36."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network.key}:{self.symbol}"


class TreasuryWallet(models.Model):
    """The platform's wallet for one network, asset and purpose; its address is validated."""

    class Purpose(models.TextChoices):
        TREASURY = "treasury", _("Treasury")
        FEE = "fee", _("Fee")
        PAYOUT = "payout", _("Payout")
        HOT = "hot", _("Hot")
        CANARY = "canary", _("Canary")

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="wallets", verbose_name=_("network")
    )
    asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, related_name="wallets", verbose_name=_("asset")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    address = models.CharField(_("address"), max_length=100)
    label = models.CharField(_("label"), max_length=100, blank=True)

    class Meta:
        ordering = ["network__key", "asset__symbol", "purpose"]
        verbose_name = _("treasury wallet")
        verbose_name_plural = _("treasury wallets")
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "purpose"],
                name="seedconfig_wallet_one_per_asset_purpose",
                violation_error_message=_("This asset already has a wallet for this purpose."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network.key}:{self.asset.symbol}:{self.purpose}"


class FeeRule(models.Model):
    """A fee: a share in basis points or a flat amount, split among recipients.

    The splits (``FeeSplit`` rows) sum to exactly 10000 bps; the total is kept on the rule
    so the database itself refuses a rule whose splits do not add up.
    """

    class Kind(models.TextChoices):
        PERCENT_BPS = "percent_bps", _("Percentage (basis points)")
        FLAT = "flat", _("Flat amount")

    key = models.SlugField(_("key"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    bps = models.PositiveIntegerField(
        _("basis points"), null=True, blank=True, validators=[MaxValueValidator(BPS_TOTAL)]
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=30,
        decimal_places=8,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(_("currency"), max_length=10, blank=True)
    effective_from = models.DateTimeField(_("effective from"), default=timezone.now)
    splits_total_bps = models.PositiveIntegerField(_("splits total (bps)"))

    class Meta:
        ordering = ["key"]
        verbose_name = _("fee rule")
        verbose_name_plural = _("fee rules")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="percent_bps", bps__isnull=False, bps__lte=BPS_TOTAL)
                    & Q(amount__isnull=True)
                )
                | (
                    Q(kind="flat", amount__isnull=False, amount__gte=0, bps__isnull=True)
                    & ~Q(currency="")
                ),
                name="seedconfig_feerule_kind_fields",
                violation_error_message=_(
                    "A percentage fee has basis points (0-10000); a flat fee has a "
                    "non-negative amount and a currency."
                ),
            ),
            models.CheckConstraint(
                condition=Q(splits_total_bps=BPS_TOTAL),
                name="seedconfig_feerule_splits_sum_10000",
                violation_error_message=_("The splits must sum to exactly 10000 bps."),
            ),
        ]

    def __str__(self) -> str:
        return self.key


class FeeSplit(models.Model):
    """One recipient's share of a fee rule, in basis points."""

    fee_rule = models.ForeignKey(
        FeeRule, on_delete=models.CASCADE, related_name="splits", verbose_name=_("fee rule")
    )
    recipient = models.SlugField(_("recipient"), max_length=50)
    bps = models.PositiveIntegerField(
        _("basis points"), validators=[MinValueValidator(1), MaxValueValidator(BPS_TOTAL)]
    )

    class Meta:
        ordering = ["fee_rule__key", "recipient"]
        verbose_name = _("fee split")
        verbose_name_plural = _("fee splits")
        constraints = [
            models.UniqueConstraint(
                fields=["fee_rule", "recipient"],
                name="seedconfig_feesplit_recipient_unique",
                violation_error_message=_("A recipient appears once per fee rule."),
            ),
            models.CheckConstraint(
                condition=Q(bps__gte=1, bps__lte=BPS_TOTAL),
                name="seedconfig_feesplit_bps_range",
                violation_error_message=_("A split is between 1 and 10000 bps."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fee_rule.key}:{self.recipient}={self.bps}"


class AssetLimit(models.Model):
    """The largest amount of an asset one transaction may move (above it: batching)."""

    asset = models.OneToOneField(
        Asset, on_delete=models.PROTECT, related_name="limit", verbose_name=_("asset")
    )
    per_transaction_cap = models.DecimalField(
        _("per-transaction cap"), max_digits=30, decimal_places=8
    )

    class Meta:
        ordering = ["asset__network__key", "asset__symbol"]
        verbose_name = _("asset limit")
        verbose_name_plural = _("asset limits")
        constraints = [
            models.CheckConstraint(
                condition=Q(per_transaction_cap__gt=0),
                name="seedconfig_assetlimit_cap_positive",
                violation_error_message=_("A per-transaction cap must be above zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset}: {self.per_transaction_cap}"


class PhaseVolumeCap(models.Model):
    """The share of the daily volume target allowed in a launch phase, in basis points."""

    class Phase(models.TextChoices):
        PILOT = "pilot", _("Pilot")
        CANARY = "canary", _("Canary")
        FULL = "full", _("Full go-live")

    # The launch plan's ceilings: pilot at most 10%, canary at most 30% of the daily target.
    PHASE_MAXIMUM_BPS = {"pilot": 1000, "canary": 3000, "full": BPS_TOTAL}

    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, unique=True)
    bps_of_daily_target = models.PositiveIntegerField(_("share of the daily target (bps)"))

    class Meta:
        ordering = ["bps_of_daily_target", "phase"]
        verbose_name = _("phase volume cap")
        verbose_name_plural = _("phase volume caps")
        constraints = [
            models.CheckConstraint(
                condition=Q(phase="pilot", bps_of_daily_target__lte=1000)
                | Q(phase="canary", bps_of_daily_target__lte=3000)
                | Q(phase="full", bps_of_daily_target__lte=BPS_TOTAL),
                name="seedconfig_phasevolumecap_within_phase_maximum",
                violation_error_message=_(
                    "Pilot is at most 1000 bps, canary at most 3000 bps of the daily target."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phase}: {self.bps_of_daily_target} bps"


class ConfigVersionQuerySet(models.QuerySet):
    def latest_version(self):
        return self.order_by("-number").first()


class ConfigVersion(models.Model):
    """One applied state of the whole configuration: canonical JSON, its SHA-256, the diff.

    Append-only: a version is inserted when a change request is applied and never changed
    or deleted. The snapshot holds no secret (RPC endpoints appear as a count and a keyed
    fingerprint only).
    """

    number = models.PositiveIntegerField(_("number"), unique=True)
    snapshot = models.TextField(_("snapshot (canonical JSON)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    diff = models.JSONField(_("diff from the previous version"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("approved by"),
    )
    change_request_id = models.PositiveBigIntegerField(
        _("change request"), null=True, blank=True, db_index=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    objects = ConfigVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("configuration version")
        verbose_name_plural = _("configuration versions")
        permissions = [
            ("request_change", _("Can request changes to the seed configuration")),
            ("view_config", _("Can view the seed configuration")),
            ("view_config_secrets", _("Can read configuration secrets (RPC endpoints)")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="seedconfig_configversion_number_positive",
                violation_error_message=_("Version numbers start at 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("Configuration versions are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Configuration versions are append-only.")

    @property
    def document(self) -> dict:
        return json.loads(self.snapshot)
