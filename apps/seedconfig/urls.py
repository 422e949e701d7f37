from django.urls import path

from apps.seedconfig import views

app_name = "seedconfig"

urlpatterns = [
    path("", views.current, name="current"),
    path("versions/", views.versions, name="versions"),
    path("versions/<int:number>/", views.version_detail, name="version"),
    path("versions/<int:number>/restore/", views.version_restore, name="version_restore"),
    path("compare/", views.compare, name="compare"),
    path("fee-rules/new/", views.fee_rule_edit, name="fee_rule_new"),
    path("fee-rules/<slug:key>/edit/", views.fee_rule_edit, name="fee_rule_edit"),
    path("treasury-wallets/new/", views.wallet_new, name="wallet_new"),
]
