"""The peer of the support search benchmark: what a Django team would build first.

A Django admin site with the read models' changelists and ``search_fields`` over the same
fields our search box reads (external id, email, handle, name; wallet addresses;
transaction hashes). The admin's default search is ``icontains`` on each field (``UPPER(…)
LIKE UPPER('%…%')``), with the paginator's ``COUNT(*)`` of the filtered rows and of the
whole table. Bench-only: mounted at ``/bench/support-admin/`` by ``bench/urls.py``, behind
the same MFA-verified staff session as the portal's own admin.
"""

from __future__ import annotations

from django.contrib import admin
from django_otp.admin import OTPAdminSite

from apps.support.models import Customer, Transaction, Wallet


class PeerAdminSite(OTPAdminSite):
    site_header = "Support lookup (Django admin peer)"


site = PeerAdminSite(name="bench_support_admin")


class CustomerAdmin(admin.ModelAdmin):
    list_display = ["external_id", "email", "handle", "display_name", "kyc_status"]
    search_fields = ["external_id", "email", "handle", "display_name"]


class WalletAdmin(admin.ModelAdmin):
    list_display = ["address", "network", "customer", "is_primary"]
    list_select_related = ["customer"]
    search_fields = ["address"]


class TransactionAdmin(admin.ModelAdmin):
    list_display = ["tx_hash", "network", "kind", "status", "customer"]
    list_select_related = ["customer"]
    search_fields = ["tx_hash"]


site.register(Customer, CustomerAdmin)
site.register(Wallet, WalletAdmin)
site.register(Transaction, TransactionAdmin)
