"""Forms of the configuration pages. Each one files a change request; none saves a row."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.seedconfig.document import FEE_KINDS, PURPOSES
from apps.seedconfig.models import FeeRule, TreasuryWallet


class ChangeReasonForm(forms.Form):
    """Why the change is needed; every change request carries these."""

    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    ticket = forms.CharField(label=_("Ticket"), required=False, max_length=200)
    freeze_exception_reason = forms.CharField(
        label=_("Freeze exception reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only during a config freeze: why this change cannot wait."),
    )

    def request_fields(self) -> dict:
        return {
            "reason": self.cleaned_data["reason"],
            "ticket": self.cleaned_data.get("ticket", ""),
            "freeze_exception_reason": self.cleaned_data.get("freeze_exception_reason", ""),
        }


class FeeRuleForm(ChangeReasonForm):
    key = forms.SlugField(label=_("Key"), max_length=80)
    name = forms.CharField(label=_("Name"), max_length=150)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k, FeeRule.Kind(k).label) for k in FEE_KINDS]
    )
    bps = forms.IntegerField(
        label=_("Basis points"),
        required=False,
        help_text=_("Percentage fees: 150 bps = 1.5%."),
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        max_digits=30,
        decimal_places=8,
        help_text=_("Flat fees only."),
    )
    currency = forms.CharField(
        label=_("Currency"), required=False, max_length=10, help_text=_("Flat fees, e.g. USD.")
    )
    effective_from = forms.DateTimeField(
        label=_("Effective from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    splits = forms.CharField(
        label=_("Splits"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One recipient per line with its share in bps, e.g. “treasury 7000”. "
            "The shares must sum to exactly 10000."
        ),
    )
    field_order = [
        "key",
        "name",
        "kind",
        "bps",
        "amount",
        "currency",
        "effective_from",
        "splits",
        "reason",
        "ticket",
        "freeze_exception_reason",
    ]

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["key"].disabled = True

    def clean_splits(self) -> dict:
        splits: dict[str, int] = {}
        for number, line in enumerate(self.cleaned_data["splits"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            match = re.match(r"^([a-z0-9][a-z0-9_-]*)\s*[:= ]\s*(-?\d+)$", line)
            if match is None:
                raise ValidationError(
                    _("Line %(n)d: write a recipient and its bps, e.g. “treasury 7000”."),
                    params={"n": number},
                )
            recipient, share = match.group(1), int(match.group(2))
            if recipient in splits:
                raise ValidationError(
                    _("Recipient %(r)s is listed twice."), params={"r": recipient}
                )
            splits[recipient] = share
        return splits

    def rule(self) -> dict:
        from apps.seedconfig.document import decimal_text, utc_text

        data = self.cleaned_data
        percent = data["kind"] == "percent_bps"
        amount = data.get("amount")
        return {
            "key": data["key"],
            "name": data["name"],
            "kind": data["kind"],
            "bps": data.get("bps") if percent else None,
            "amount": None if percent or amount is None else decimal_text(amount),
            "currency": "" if percent else (data.get("currency") or "").strip().upper(),
            "effective_from": utc_text(data["effective_from"]),
            "splits": data["splits"],
        }

    @staticmethod
    def initial_for(rule: dict) -> dict:
        from django.utils.dateparse import parse_datetime

        return {
            **{k: rule.get(k) for k in ("key", "name", "kind", "bps", "amount", "currency")},
            "effective_from": parse_datetime(rule["effective_from"]),
            "splits": "\n".join(f"{r} {bps}" for r, bps in rule["splits"].items()),
        }


class WalletForm(ChangeReasonForm):
    asset = forms.ChoiceField(label=_("Network and asset"))
    purpose = forms.ChoiceField(
        label=_("Purpose"), choices=[(p, TreasuryWallet.Purpose(p).label) for p in PURPOSES]
    )
    # A whole address shows: 44 characters (Solana), 42 (EVM), 34 (Tron), monospaced.
    address = forms.CharField(
        label=_("Address"),
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "class": "address",
                "size": 50,
                "spellcheck": "false",
                "autocomplete": "off",
                "autocapitalize": "off",
            }
        ),
    )
    label = forms.CharField(label=_("Label"), required=False, max_length=100)
    field_order = [
        "asset",
        "purpose",
        "address",
        "label",
        "reason",
        "ticket",
        "freeze_exception_reason",
    ]

    def __init__(self, *args, assets: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset"].choices = [
            (f"{a['network']}:{a['symbol']}", f"{a['network']} · {a['symbol']}") for a in assets
        ]

    def wallet(self) -> dict:
        network, _sep, symbol = self.cleaned_data["asset"].partition(":")
        return {
            "network": network,
            "asset": symbol,
            "purpose": self.cleaned_data["purpose"],
            "address": self.cleaned_data["address"].strip(),
            "label": self.cleaned_data.get("label", ""),
        }


class RestoreForm(ChangeReasonForm):
    pass


class CompareForm(forms.Form):
    older = forms.IntegerField(label=_("From version"), min_value=0)
    newer = forms.IntegerField(label=_("To version"), min_value=1)
