"""The platform's vocabularies, as the ingestion accepts them and the pages show them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    EN = "en", _("English")
    ID = "id", _("Indonesian")
    RU = "ru", _("Russian")


class KycStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class BlueCheckStatus(models.TextChoices):
    NONE = "none", _("None")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class TxKind(models.TextChoices):
    CONTRIBUTE = "contribute", _("Contribution")
    CLAIM = "claim", _("Claim")
    REFUND = "refund", _("Refund")
    PAYOUT = "payout", _("Payout")
    FEE = "fee", _("Fee")
    BLUECHECK = "bluecheck", _("Blue check")


class TxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    FAILED = "failed", _("Failed")
    DROPPED = "dropped", _("Dropped")


class ClaimType(models.TextChoices):
    VESTING = "vesting", _("Vesting")
    REFERRAL = "referral", _("Referral")
    SBT = "sbt", _("SBT")


class ClaimStatus(models.TextChoices):
    LOCKED = "locked", _("Locked (not vested yet)")
    CLAIMABLE = "claimable", _("Claimable")
    PENDING = "pending", _("Pending (transaction sent)")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class RefundStatus(models.TextChoices):
    OWED = "owed", _("Owed (queued)")
    PENDING = "pending", _("Pending (transaction sent)")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class RoundStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    LIVE = "live", _("Live")
    ENDED = "ended", _("Ended")
    FINALIZED = "finalized", _("Finalized")
    CANCELLED = "cancelled", _("Cancelled")


class RoundResult(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCESS = "success", _("Succeeded")
    FAILED = "failed", _("Failed")
