"""The support app's models: read models of the platform's data and canned replies."""

from apps.support.models.choices import (
    BlueCheckStatus,
    ClaimStatus,
    ClaimType,
    KycStatus,
    Language,
    RefundStatus,
    RoundResult,
    RoundStatus,
    TxKind,
    TxStatus,
)
from apps.support.models.claims import Claim, Refund
from apps.support.models.customers import Customer
from apps.support.models.fees import FeeEvent
from apps.support.models.replies import CannedReply, ReplyUsage
from apps.support.models.rounds import AMOUNT_DIGITS, Round
from apps.support.models.transactions import Transaction
from apps.support.models.wallets import Wallet

__all__ = [
    "AMOUNT_DIGITS",
    "BlueCheckStatus",
    "CannedReply",
    "Claim",
    "ClaimStatus",
    "ClaimType",
    "Customer",
    "FeeEvent",
    "KycStatus",
    "Language",
    "Refund",
    "RefundStatus",
    "ReplyUsage",
    "Round",
    "RoundResult",
    "RoundStatus",
    "Transaction",
    "TxKind",
    "TxStatus",
    "Wallet",
]
