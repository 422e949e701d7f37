"""Back office for the seed configuration: read-only, except that editing a fee rule or a
treasury wallet files a change request instead of saving. No admin path writes a live
row; a second person approves the request in Approvals.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.accounts.policy import can
from apps.approvals.services import ApprovalRefused
from apps.seedconfig import models, selectors, services
from apps.seedconfig.document import decimal_text, utc_text


class ReadOnlyConfigAdmin(admin.ModelAdmin):
    """Shown to people who may view the configuration; nobody adds, edits or deletes."""

    def has_view_permission(self, request, obj=None):
        return can(request.user, selectors.VIEW)

    def has_module_permission(self, request):
        return can(request.user, selectors.VIEW)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Network)
class NetworkAdmin(ReadOnlyConfigAdmin):
    list_display = ["key", "name", "kind", "chain_id", "is_testnet", "enabled"]
    # The RPC endpoints are never shown.
    fields = ["key", "name", "kind", "chain_id", "is_testnet", "enabled"]


@admin.register(models.Asset)
class AssetAdmin(ReadOnlyConfigAdmin):
    list_display = ["symbol", "network", "kind", "contract_address", "decimals"]
    list_filter = ["network"]


@admin.register(models.AssetLimit)
class AssetLimitAdmin(ReadOnlyConfigAdmin):
    list_display = ["asset", "per_transaction_cap"]


@admin.register(models.PhaseVolumeCap)
class PhaseVolumeCapAdmin(ReadOnlyConfigAdmin):
    list_display = ["phase", "bps_of_daily_target"]


@admin.register(models.ConfigVersion)
class ConfigVersionAdmin(ReadOnlyConfigAdmin):
    list_display = ["number", "created_at", "created_by", "change_request_id", "sha256"]
    fields = ["number", "sha256", "created_at", "created_by", "change_request_id", "diff"]


class _RequestFilingForm(forms.ModelForm):
    """Files a change request when valid; the instance itself is never saved."""

    change_reason = forms.CharField(
        label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2})
    )
    change_ticket = forms.CharField(label=_("Ticket"), required=False)

    request = None  # set by the admin's get_form
    change_request = None

    def _post_clean(self):
        # The row is not saved, so the model's own validation does not apply here: the
        # change request's validation (field paths) does, in clean().
        pass

    def file(self, proposal: dict):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.change_request = self.file(cleaned)
        except ApprovalRefused as exc:
            raise ValidationError(exc.message) from None
        except ValidationError as exc:
            messages_list = (
                [f"{path}: {msg}" for path, msgs in exc.message_dict.items() for msg in msgs]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            raise ValidationError(messages_list) from None
        return cleaned


class FeeRuleAdminForm(_RequestFilingForm):
    splits_text = forms.CharField(
        label=_("Splits"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One recipient per line with its bps, e.g. “treasury 7000”."),
    )

    class Meta:
        model = models.FeeRule
        fields = ["name", "kind", "bps", "amount", "currency", "effective_from"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["splits_text"].initial = "\n".join(
                f"{s.recipient} {s.bps}" for s in self.instance.splits.order_by("recipient")
            )

    def file(self, data):
        splits = {}
        for line in data["splits_text"].splitlines():
            recipient, _sep, share = line.strip().partition(" ")
            if recipient:
                try:
                    splits[recipient] = int(share.strip())
                except ValueError:
                    raise ValidationError(
                        {"splits": [gettext("Write a recipient and its bps per line.")]}
                    ) from None
        percent = data["kind"] == "percent_bps"
        rule = {
            "key": self.instance.key,
            "name": data["name"],
            "kind": data["kind"],
            "bps": data.get("bps") if percent else None,
            "amount": None
            if percent or data.get("amount") is None
            else decimal_text(data["amount"]),
            "currency": "" if percent else data.get("currency", ""),
            "effective_from": utc_text(data["effective_from"]),
            "splits": splits,
        }
        return services.config_fee_rule_request(
            actor=self.request.user,
            rule=rule,
            reason=data["change_reason"],
            ticket=data.get("change_ticket", ""),
        )


class WalletAdminForm(_RequestFilingForm):
    class Meta:
        model = models.TreasuryWallet
        fields = ["address", "label"]

    def file(self, data):
        wallet = {
            "network": self.instance.network.key,
            "asset": self.instance.asset.symbol,
            "purpose": self.instance.purpose,
            "address": data["address"],
            "label": data.get("label", ""),
        }
        return services.config_wallet_request(
            actor=self.request.user,
            wallet=wallet,
            reason=data["change_reason"],
            ticket=data.get("change_ticket", ""),
        )


class RequestFilingAdmin(ReadOnlyConfigAdmin):
    """Editing files a change request; the response leads to its approval page."""

    def has_change_permission(self, request, obj=None):
        return can(request.user, selectors.REQUEST)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request, obj, form, change):
        """Nothing is saved: the form already filed a change request."""

    def save_related(self, request, form, formsets, change):
        """Nothing is saved."""

    def log_change(self, request, obj, message):
        """The change request is the record; no admin log entry claims a change."""

    def response_change(self, request, obj):
        change_request = getattr(request, "_seedconfig_change_request", None)
        if change_request is None:
            return super().response_change(request, obj)
        messages.success(request, gettext("Change request filed; a second person must approve it."))
        return HttpResponseRedirect(reverse("approvals:detail", args=[change_request.pk]))

    def save_form(self, request, form, change):
        request._seedconfig_change_request = form.change_request
        return form.instance


@admin.register(models.FeeRule)
class FeeRuleAdmin(RequestFilingAdmin):
    form = FeeRuleAdminForm
    list_display = ["key", "name", "kind", "bps", "amount", "currency", "effective_from"]
    readonly_fields = ["key"]
    fields = [
        "key",
        "name",
        "kind",
        "bps",
        "amount",
        "currency",
        "effective_from",
        "splits_text",
        "change_reason",
        "change_ticket",
    ]


@admin.register(models.TreasuryWallet)
class TreasuryWalletAdmin(RequestFilingAdmin):
    form = WalletAdminForm
    list_display = ["network", "asset", "purpose", "address", "label"]
    list_filter = ["network", "purpose"]
    readonly_fields = ["network", "asset", "purpose"]
    fields = ["network", "asset", "purpose", "address", "label", "change_reason", "change_ticket"]
