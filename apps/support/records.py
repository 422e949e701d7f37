"""What an ingested record of each entity looks like, and how it is checked and cleaned.

Each record is the whole current state of one object, named by its natural key; a field
left out takes its default. ``clean_record(entity, record, ctx)`` returns the model's
column values or raises ``RecordInvalid`` with every bad field and why. The same checks
serve the ingestion API and ``manage.py support_import``.

Natural keys: customers ``external_id``; wallets (``network``, ``address``); rounds
``round_id``; transactions (``network``, ``hash``); claims ``claim_id``; refunds
``refund_id``; fee events ``event_id``. Customers are named by their external id
(``customer``), rounds by their id (``round``). Amounts are integers in minor units (a
JSON number or a string of digits; never negative, never a fraction). Times are ISO 8601
with a timezone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from apps.seedconfig.addresses import AddressError, normalise_address
from apps.support.identifiers import normalise_email, normalise_handle, normalise_name
from apps.support.models import (
    AMOUNT_DIGITS,
    BlueCheckStatus,
    Claim,
    ClaimStatus,
    ClaimType,
    Customer,
    FeeEvent,
    KycStatus,
    Language,
    Refund,
    RefundStatus,
    Round,
    RoundResult,
    RoundStatus,
    Transaction,
    TxKind,
    TxStatus,
    Wallet,
)

MAX_BATCH = 1000

_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,149}$")
_HANDLE = re.compile(r"^@?[A-Za-z0-9_.]{1,64}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")
_SYMBOL = re.compile(r"^[A-Za-z0-9.]{1,20}$")
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class FieldInvalid(ValueError):
    """One field's value is wrong; the message says why."""


class RecordInvalid(Exception):
    """A record has bad fields: ``errors`` maps each field to its reason."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class Context:
    """What checking a record needs besides the record: the configured networks (key ->
    kind) and a way to tell whether a customer exists (external id -> bool)."""

    networks: dict[str, str]
    customer_exists: Callable[[str], bool] = lambda external_id: True


# --- field parsers -------------------------------------------------------------------------


def text(limit: int, *, pattern: re.Pattern | None = None, what: str = "") -> Callable:
    def parse(value, ctx):
        if value is None:
            return ""
        if not isinstance(value, str):
            raise FieldInvalid(_("give text"))
        value = value.strip()
        if len(value) > limit:
            raise FieldInvalid(_("at most %(n)d characters") % {"n": limit})
        if _CONTROL.search(value):
            raise FieldInvalid(_("contains control characters"))
        if value and pattern is not None and not pattern.match(value):
            raise FieldInvalid(what or _("malformed"))
        return value

    return parse


def choice(choices) -> Callable:
    def parse(value, ctx):
        if value not in choices.values:
            raise FieldInvalid(
                _("unknown value %(value)r; use one of %(values)s")
                % {"value": value, "values": ", ".join(choices.values)}
            )
        return value

    return parse


def amount(value, ctx) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise FieldInvalid(_("give a whole number of minor units"))
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
        number = int(value.strip())
    else:
        raise FieldInvalid(
            _("give a whole number of minor units (an integer or a string of digits)")
        )
    if number < 0:
        raise FieldInvalid(_("must not be negative"))
    if len(str(number)) > AMOUNT_DIGITS:
        raise FieldInvalid(_("too large"))
    return Decimal(number)


def optional_amount(value, ctx):
    return None if value is None else amount(value, ctx)


def count(value, ctx) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldInvalid(_("give a whole number"))
    if value < 0:
        raise FieldInvalid(_("must not be negative"))
    if value > 2**31 - 1:
        raise FieldInvalid(_("too large"))
    return value


def positive_id(value, ctx) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value > 2**63 - 1:
        raise FieldInvalid(_("give a positive whole number"))
    return value


def optional_id(value, ctx):
    return None if value is None else positive_id(value, ctx)


def boolean(value, ctx) -> bool:
    if not isinstance(value, bool):
        raise FieldInvalid(_("give true or false"))
    return value


def moment(value, ctx) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FieldInvalid(_("give an ISO 8601 time, e.g. 2026-11-01T12:00:00Z"))
    parsed = None
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise FieldInvalid(_("not a time; give ISO 8601, e.g. 2026-11-01T12:00:00Z"))
    if parsed.tzinfo is None:
        raise FieldInvalid(_("give the time with its timezone (e.g. Z or +07:00)"))
    return parsed


def required_moment(value, ctx) -> datetime:
    parsed = moment(value, ctx)
    if parsed is None:
        raise FieldInvalid(_("required"))
    return parsed


def network(value, ctx) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FieldInvalid(_("required"))
    key = value.strip().lower()
    if key not in ctx.networks:
        raise FieldInvalid(
            _("unknown network %(network)r; configured networks: %(known)s")
            % {"network": value, "known": ", ".join(sorted(ctx.networks)) or _("none")}
        )
    return key


def optional_network(value, ctx) -> str:
    if value is None or value == "":
        return ""
    return network(value, ctx)


def external_id(value, ctx) -> str:
    parsed = text(150, pattern=_EXTERNAL_ID)(value, ctx)
    if not parsed:
        raise FieldInvalid(_("required"))
    if not _EXTERNAL_ID.match(parsed):
        raise FieldInvalid(_("letters, digits and _ . @ : - only, starting with a letter or digit"))
    return parsed


def customer_ref(value, ctx) -> str:
    parsed = external_id(value, ctx)
    if not ctx.customer_exists(parsed):
        raise FieldInvalid(
            _("no customer with external id %(id)r; send the customer first") % {"id": parsed}
        )
    return parsed


def optional_customer_ref(value, ctx) -> str:
    if value is None or value == "":
        return ""
    return customer_ref(value, ctx)


def natural_key_text(value, ctx) -> str:
    parsed = text(100, pattern=_KEY)(value, ctx)
    if not parsed:
        raise FieldInvalid(_("required"))
    return parsed


def address_for(network_key: str, value, ctx, *, required: bool) -> tuple[str, str]:
    """(canonical address, search form) on ``network_key``."""
    if value is None or value == "":
        if required:
            raise FieldInvalid(_("required"))
        return "", ""
    if not isinstance(value, str):
        raise FieldInvalid(_("give the address as text"))
    kind = ctx.networks[network_key]
    try:
        canonical = normalise_address(kind, value)
    except AddressError as error:
        raise FieldInvalid(
            _("not a valid %(kind)s address for %(network)s: %(why)s")
            % {"kind": kind, "network": network_key, "why": error}
        ) from None
    return canonical, canonical.lower() if kind == "evm" else canonical


def tx_hash_for(network_kind: str, value) -> str:
    """The canonical hash of a transaction on a network of ``network_kind`` (see
    Transaction): EVM ``0x`` + lower-case hex, Tron lower-case hex, Solana base58."""
    import base58

    if not isinstance(value, str) or not value.strip():
        raise FieldInvalid(_("required"))
    value = value.strip()
    if network_kind == "evm":
        if not (value[:2] in ("0x", "0X") and _HEX64.match(value[2:])):
            raise FieldInvalid(_("an EVM transaction hash is 0x followed by 64 hex digits"))
        return "0x" + value[2:].lower()
    if network_kind == "tron":
        digits = value[2:] if value[:2] in ("0x", "0X") else value
        if not _HEX64.match(digits):
            raise FieldInvalid(_("a Tron transaction id is 64 hex digits"))
        return digits.lower()
    try:
        decoded = base58.b58decode(value)
    except ValueError:
        decoded = b""
    if len(decoded) != 64 or not re.fullmatch(r"[1-9A-HJ-NP-Za-km-z]+", value):
        raise FieldInvalid(_("a Solana signature is base58 of 64 bytes"))
    return value


# --- entities -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str  # in the record
    attr: str  # on the model
    parse: Callable
    default: Any = None
    required: bool = False


@dataclass(frozen=True)
class Entity:
    name: str
    model: type
    key: tuple[str, ...]  # model attributes of the natural key
    fields: tuple[Field, ...]
    finish: Callable[[dict, dict, Context, dict], None] | None = None
    #: attributes compared to tell a changed record from a replay
    compared: tuple[str, ...] = field(default=())


def _finish_customer(record, cleaned, ctx, errors):
    if errors:
        return  # the record is refused anyway; its fields may be missing
    cleaned["email_norm"] = normalise_email(cleaned["email"])
    cleaned["handle"] = cleaned["handle"].lstrip("@")
    cleaned["handle_norm"] = normalise_handle(cleaned["handle"])
    cleaned["name_norm"] = normalise_name(cleaned["display_name"])
    if cleaned["kyc_status"] != KycStatus.REJECTED and cleaned["kyc_rejection_reason"]:
        errors["kyc_rejection_reason"] = _("only a rejected KYC has a rejection reason")


def _finish_wallet(record, cleaned, ctx, errors):
    if "network" in errors:
        return
    try:
        cleaned["address"], cleaned["address_norm"] = address_for(
            cleaned["network"], record.get("address"), ctx, required=True
        )
    except FieldInvalid as error:
        errors["address"] = str(error)


def _finish_transaction(record, cleaned, ctx, errors):
    if "network" in errors:
        return
    try:
        cleaned["tx_hash"] = tx_hash_for(ctx.networks[cleaned["network"]], record.get("hash"))
    except FieldInvalid as error:
        errors["hash"] = str(error)
    for name, attr in (("from", "from_address"), ("to", "to_address")):
        try:
            cleaned[attr] = address_for(cleaned["network"], record.get(name), ctx, required=False)[
                0
            ]
        except FieldInvalid as error:
            errors[name] = str(error)
    if (
        "confirmed_at" not in errors
        and cleaned.get("status") == TxStatus.CONFIRMED
        and cleaned.get("confirmed_at") is None
    ):
        errors.setdefault("confirmed_at", _("a confirmed transaction needs its confirmation time"))


def _finish_tx_reference(record, cleaned, ctx, errors):
    given = record.get("hash")
    if given in (None, ""):
        cleaned["tx_hash"] = ""
        return
    if not cleaned.get("network"):
        errors.setdefault("network", _("required when a transaction hash is given"))
        return
    try:
        cleaned["tx_hash"] = tx_hash_for(ctx.networks[cleaned["network"]], given)
    except FieldInvalid as error:
        errors["hash"] = str(error)


def _finish_fee(record, cleaned, ctx, errors):
    _finish_tx_reference(record, cleaned, ctx, errors)
    splits = record.get("splits", {})
    if not isinstance(splits, dict):
        errors["splits"] = _("give an object of recipient: amount")
        return
    clean_splits = {}
    for recipient, value in splits.items():
        if not isinstance(recipient, str) or not _KEY.match(recipient):
            errors["splits"] = _("recipient names are short keys such as treasury")
            return
        try:
            clean_splits[recipient] = str(amount(value, ctx))
        except FieldInvalid as error:
            errors["splits"] = f"{recipient}: {error}"
            return
    cleaned["splits"] = clean_splits


CUSTOMER = Entity(
    name="customers",
    model=Customer,
    key=("external_id",),
    fields=(
        Field("external_id", "external_id", external_id, required=True),
        Field(
            "email",
            "email",
            text(254, pattern=_EMAIL, what=_("not an email address")),
            default="",
        ),
        Field(
            "handle",
            "handle",
            text(65, pattern=_HANDLE, what=_("letters, digits, _ and . only")),
            default="",
        ),
        Field("display_name", "display_name", text(200), default=""),
        Field("language", "language", choice(Language), default=Language.EN),
        Field("created_at", "platform_created_at", moment),
        Field("kyc_status", "kyc_status", choice(KycStatus), default=KycStatus.NOT_STARTED),
        Field("kyc_rejection_reason", "kyc_rejection_reason", text(500), default=""),
        Field(
            "bluecheck_status",
            "bluecheck_status",
            choice(BlueCheckStatus),
            default=BlueCheckStatus.NONE,
        ),
        Field("bluecheck_expires_at", "bluecheck_expires_at", moment),
        Field(
            "referrer",
            "referrer_external_id",
            text(150, pattern=_EXTERNAL_ID, what=_("not an external id")),
            default="",
        ),
        Field("active_referral_count", "active_referral_count", count, default=0),
        Field("banned", "banned", boolean, default=False),
    ),
    finish=_finish_customer,
)

WALLET = Entity(
    name="wallets",
    model=Wallet,
    key=("network", "address_norm"),
    fields=(
        Field("customer", "customer_external_id", customer_ref, required=True),
        Field("network", "network", network, required=True),
        Field("address", "address", lambda v, c: v, required=True),
        Field("primary", "is_primary", boolean, default=False),
        Field("linked_at", "linked_at", moment),
    ),
    finish=_finish_wallet,
)

ROUND = Entity(
    name="rounds",
    model=Round,
    key=("round_id",),
    fields=(
        Field("round_id", "round_id", positive_id, required=True),
        Field("project_id", "project_ref", text(100), default=""),
        Field("project_name", "project_name", text(200), default=""),
        Field("network", "network", network, required=True),
        Field("asset", "asset", text(20, pattern=_SYMBOL), default=""),
        Field("status", "status", choice(RoundStatus), required=True),
        Field("result", "result", choice(RoundResult), default=RoundResult.PENDING),
        Field("soft_cap", "soft_cap", optional_amount),
        Field("hard_cap", "hard_cap", optional_amount),
        Field("total_raised", "total_raised", amount, default=0),
        Field("contributor_count", "contributor_count", count, default=0),
        Field("starts_at", "starts_at", moment),
        Field("ends_at", "ends_at", moment),
    ),
)

TRANSACTION = Entity(
    name="transactions",
    model=Transaction,
    key=("network", "tx_hash"),
    fields=(
        Field("network", "network", network, required=True),
        Field("hash", "tx_hash", lambda v, c: v, required=True),
        Field("kind", "kind", choice(TxKind), required=True),
        Field("status", "status", choice(TxStatus), required=True),
        Field("amount", "amount", amount, default=0),
        Field("asset", "asset", text(20, pattern=_SYMBOL), default=""),
        Field("from", "from_address", lambda v, c: v),
        Field("to", "to_address", lambda v, c: v),
        Field("round", "round_ref", optional_id),
        Field("customer", "customer_external_id", optional_customer_ref, default=""),
        Field("submitted_at", "submitted_at", required_moment, required=True),
        Field("confirmed_at", "confirmed_at", moment),
        Field("failure_reason", "failure_reason", text(500), default=""),
        Field("attempts", "attempts", count, default=1),
    ),
    finish=_finish_transaction,
)

CLAIM = Entity(
    name="claims",
    model=Claim,
    key=("claim_id",),
    fields=(
        Field("claim_id", "claim_id", natural_key_text, required=True),
        Field("customer", "customer_external_id", customer_ref, required=True),
        Field("claim_type", "claim_type", choice(ClaimType), required=True),
        Field("round", "round_ref", optional_id),
        Field("network", "network", optional_network, default=""),
        Field("amount", "amount", amount, default=0),
        Field("asset", "asset", text(20, pattern=_SYMBOL), default=""),
        Field("status", "status", choice(ClaimStatus), required=True),
        Field("failure_reason", "failure_reason", text(500), default=""),
        Field("hash", "tx_hash", lambda v, c: v),
        Field("created_at", "created_at", moment),
    ),
    finish=_finish_tx_reference,
)

REFUND = Entity(
    name="refunds",
    model=Refund,
    key=("refund_id",),
    fields=(
        Field("refund_id", "refund_id", natural_key_text, required=True),
        Field("customer", "customer_external_id", customer_ref, required=True),
        Field("round", "round_ref", positive_id, required=True),
        Field("network", "network", optional_network, default=""),
        Field("amount", "amount", amount, default=0),
        Field("asset", "asset", text(20, pattern=_SYMBOL), default=""),
        Field("status", "status", choice(RefundStatus), required=True),
        Field("failure_reason", "failure_reason", text(500), default=""),
        Field("hash", "tx_hash", lambda v, c: v),
        Field("created_at", "created_at", moment),
    ),
    finish=_finish_tx_reference,
)

FEE_EVENT = Entity(
    name="fee_events",
    model=FeeEvent,
    key=("event_id",),
    fields=(
        Field("event_id", "event_id", natural_key_text, required=True),
        Field("kind", "kind", natural_key_text, required=True),
        Field("network", "network", optional_network, default=""),
        Field("hash", "tx_hash", lambda v, c: v),
        Field("round", "round_ref", optional_id),
        Field(
            "customer",
            "customer_external_id",
            text(150, pattern=_EXTERNAL_ID, what=_("not an external id")),
            default="",
        ),
        Field("amount", "amount", amount, required=True),
        Field("asset", "asset", text(20, pattern=_SYMBOL), default=""),
        Field("splits", "splits", lambda v, c: v, default=None),
        Field("fee_rule_version", "fee_rule_version", optional_id),
        Field("occurred_at", "occurred_at", required_moment, required=True),
    ),
    finish=_finish_fee,
)

ENTITIES: dict[str, Entity] = {
    entity.name: entity
    for entity in (CUSTOMER, WALLET, ROUND, TRANSACTION, CLAIM, REFUND, FEE_EVENT)
}
#: The order a full load must follow (records name customers, which must exist first).
LOAD_ORDER = ("customers", "rounds", "wallets", "transactions", "claims", "refunds", "fee_events")


def clean_record(entity: Entity, record, ctx: Context) -> dict:
    """The model column values of ``record``, or ``RecordInvalid``.

    A customer reference comes back as ``customer_external_id`` (the caller maps it to the
    customer row).
    """
    if not isinstance(record, dict):
        raise RecordInvalid({"record": _("each record is a JSON object")})
    errors: dict[str, str] = {}
    known = {f.name for f in entity.fields}
    for name in record:
        if name not in known:
            errors[str(name)[:50]] = _("unknown field; known fields: %(fields)s") % {
                "fields": ", ".join(sorted(known))
            }
    cleaned: dict[str, Any] = {}
    for spec in entity.fields:
        if spec.name not in record or record[spec.name] is None:
            if spec.required:
                errors[spec.name] = _("required")
                continue
            if spec.name not in record:
                cleaned[spec.attr] = spec.default
                continue
        try:
            cleaned[spec.attr] = spec.parse(record[spec.name], ctx)
        except FieldInvalid as error:
            errors[spec.name] = str(error)
    if entity.finish is not None:
        entity.finish(record, cleaned, ctx, errors)
    if entity is FEE_EVENT and cleaned.get("splits") is None:
        cleaned["splits"] = {}
    if errors:
        raise RecordInvalid(errors)
    return cleaned


def natural_key(entity: Entity, cleaned: dict) -> tuple:
    return tuple(cleaned[attr] for attr in entity.key)


def links_customer(entity: Entity) -> bool:
    """Does the entity's ``customer`` name a customer row (a foreign key)? Fee events keep
    the customer's external id as text."""
    return entity.model is not FeeEvent and any(
        spec.attr == "customer_external_id" for spec in entity.fields
    )


def compared_attrs(entity: Entity) -> list[str]:
    """Columns a replay must leave as they are (every cleaned column but the keys)."""
    attrs = []
    for spec in entity.fields:
        if spec.attr == "customer_external_id" and links_customer(entity):
            attrs.append("customer_id")
        elif spec.attr not in attrs:
            attrs.append(spec.attr)
    if entity is CUSTOMER:
        attrs += ["email_norm", "handle_norm", "name_norm"]
    if entity is WALLET:
        attrs.append("address_norm")
    return attrs
