"""Configuration endpoints under /v1/ (namespace "api"); read-only."""

from django.urls import path

from apps.seedconfig.api import views

urlpatterns = [
    path("config/", views.ConfigView.as_view(), name="config"),
    path("config/networks", views.NetworksView.as_view(), name="config_networks"),
    path("config/assets", views.AssetsView.as_view(), name="config_assets"),
    path(
        "config/treasury-wallets",
        views.TreasuryWalletsView.as_view(),
        name="config_treasury_wallets",
    ),
    path("config/fee-rules", views.FeeRulesView.as_view(), name="config_fee_rules"),
    path("config/limits", views.LimitsView.as_view(), name="config_limits"),
    path("config/versions/", views.VersionListView.as_view(), name="config_versions"),
    path(
        "config/versions/<int:number>/",
        views.VersionDetailView.as_view(),
        name="config_version",
    ),
]
