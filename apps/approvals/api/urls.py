"""Approvals endpoints under /v1/ (namespace "api")."""

from django.urls import path

from apps.approvals.api import views

urlpatterns = [
    path("approvals/", views.ChangeRequestListView.as_view(), name="approvals"),
    path("approvals/<int:pk>/", views.ChangeRequestDetailView.as_view(), name="approval"),
    # Without the slash too, like the other item paths (and its actions): the same answer,
    # not a redirect.
    path(
        "approvals/<int:pk>",
        views.ChangeRequestDetailAliasView.as_view(),
        name="approval_without_slash",
    ),
    path(
        "approvals/<int:pk>/approve",
        views.ChangeRequestApproveView.as_view(),
        name="approval_approve",
    ),
    path(
        "approvals/<int:pk>/reject", views.ChangeRequestRejectView.as_view(), name="approval_reject"
    ),
    path(
        "approvals/<int:pk>/cancel", views.ChangeRequestCancelView.as_view(), name="approval_cancel"
    ),
]
