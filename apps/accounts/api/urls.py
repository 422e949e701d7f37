"""Accounts endpoints under /v1/ (namespace "api")."""

from django.urls import path

from apps.accounts.api import views

urlpatterns = [
    path("me", views.MeView.as_view(), name="accounts_me"),
    path(
        "service-accounts/",
        views.ServiceAccountListView.as_view(),
        name="accounts_service_accounts",
    ),
    path(
        "service-accounts/<int:pk>/tokens/",
        views.ServiceAccountTokenListView.as_view(),
        name="accounts_service_account_tokens",
    ),
    path("tokens/<int:pk>/revoke", views.TokenRevokeView.as_view(), name="accounts_token_revoke"),
    path("tokens/<int:pk>/scopes", views.TokenScopesView.as_view(), name="accounts_token_scopes"),
    path("lockouts/", views.LockoutListView.as_view(), name="accounts_lockouts"),
    path("lockouts/lift", views.LockoutLiftView.as_view(), name="accounts_lockout_lift"),
]
