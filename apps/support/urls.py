"""Support pages under /support/ (namespace "support")."""

from django.urls import path

from apps.support.views import customers, diagnostics, replies, search, supervision, transactions

app_name = "support"

urlpatterns = [
    path("", search.search_page, name="search"),
    path("customers/<int:pk>/", customers.customer_page, name="customer"),
    path(
        "customers/<int:pk>/transactions/",
        customers.customer_transactions_page,
        name="customer_transactions",
    ),
    path("customers/<int:pk>/reveal", customers.customer_reveal, name="customer_reveal"),
    path(
        "customers/<int:pk>/actions/<str:action>",
        customers.customer_action_view,
        name="customer_action",
    ),
    path(
        "customers/<int:pk>/diagnose/<str:case>/",
        diagnostics.diagnose_page,
        name="diagnose",
    ),
    path("transactions/<int:pk>/", transactions.transaction_page, name="transaction"),
    path("replies/", replies.reply_list, name="replies"),
    path("replies/new", replies.reply_create, name="reply_create"),
    path("replies/<int:pk>/edit", replies.reply_edit, name="reply_edit"),
    path("replies/<int:pk>/used", replies.reply_used, name="reply_used"),
    path("lookups/", supervision.lookups_page, name="lookups"),
    path("leads/", supervision.leads_page, name="leads"),
    path("leads/<int:user_id>", supervision.lead_set, name="lead_set"),
]
