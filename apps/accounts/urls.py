from django.urls import path

from apps.accounts import views, views_people

app_name = "accounts"

# Only paths under /accounts/mfa/, /accounts/login/ and /accounts/logout/ are open to a
# session that has not passed MFA (see apps.accounts.middleware); keep everything else
# outside those prefixes.
urlpatterns = [
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", views.PortalLogoutView.as_view(), name="logout"),
    path("mfa/enrol/", views.mfa_enrol, name="mfa_enrol"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("profile/", views.profile, name="profile"),
    path("profile/backup-codes/", views.profile_backup_codes, name="backup_codes"),
    path("people/", views_people.people_list, name="people"),
    path("people/<int:pk>/", views_people.person_detail, name="person"),
    path("people/<int:pk>/roles/grant/", views_people.person_role_grant, name="role_grant"),
    path("people/<int:pk>/roles/revoke/", views_people.person_role_revoke, name="role_revoke"),
    path("people/<int:pk>/mfa-reset/", views_people.person_mfa_reset, name="mfa_reset"),
    path("lockouts/", views_people.lockout_list, name="lockouts"),
    path("lockouts/lift/", views_people.lockout_lift_view, name="lockout_lift"),
]
