"""Service-account pages, mounted at /service-accounts/."""

from django.urls import path

from apps.accounts import views_tokens as views

app_name = "service_accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/disable/", views.account_disable, name="disable"),
    path("<int:pk>/tokens/new/", views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("tokens/<int:pk>/scopes/", views.token_scopes, name="token_scopes"),
]
