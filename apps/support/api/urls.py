"""Support endpoints under /v1/support/ (namespace "api")."""

from django.urls import path

from apps.support.api import changes, ingest, lookup

urlpatterns = [
    path("support/ingest/<str:entity>", ingest.IngestView.as_view(), name="support_ingest"),
    path("support/search", lookup.SearchView.as_view(), name="support_search"),
    path("support/customers/<int:pk>", lookup.CustomerView.as_view(), name="support_customer"),
    path(
        "support/customers/<int:pk>/transactions",
        lookup.CustomerTransactionsView.as_view(),
        name="support_customer_transactions",
    ),
    path(
        "support/customers/<int:pk>/reveal",
        lookup.RevealView.as_view(),
        name="support_customer_reveal",
    ),
    path(
        "support/customers/<int:pk>/diagnostics/<str:case>",
        lookup.DiagnosticView.as_view(),
        name="support_customer_diagnostic",
    ),
    path(
        "support/customers/<int:pk>/actions/<str:action>",
        changes.CustomerActionView.as_view(),
        name="support_customer_action",
    ),
    path(
        "support/transactions/<int:pk>",
        lookup.TransactionView.as_view(),
        name="support_transaction",
    ),
    path("support/replies", changes.ReplyListView.as_view(), name="support_replies"),
    path("support/replies/<int:pk>", changes.ReplyDetailView.as_view(), name="support_reply"),
    path(
        "support/replies/<int:pk>/used", changes.ReplyUsedView.as_view(), name="support_reply_used"
    ),
]
