from django.urls import path

from apps.approvals import views

app_name = "approvals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("roles/new/", views.role_change_new, name="role_change_new"),
    path("freeze/", views.freeze_windows, name="freeze_windows"),
    path("freeze/<int:pk>/end/", views.freeze_window_end_view, name="freeze_window_end"),
]
