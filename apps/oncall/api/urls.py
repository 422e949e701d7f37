"""On-call endpoints under /v1/ (namespace "api"): who is on call, schedules, layers,
overrides, feeds, teams, escalation policies and pages."""

from django.urls import path

from apps.oncall.api.views import schedules as oncall
from apps.oncall.api.views import teams

urlpatterns = [
    path("oncall/now", oncall.OnCallNowView.as_view(), name="warroom_oncall_now"),
    path("oncall/schedules/", oncall.ScheduleListView.as_view(), name="warroom_schedules"),
    path(
        "oncall/schedules/<int:pk>",
        oncall.ScheduleDetailView.as_view(),
        name="warroom_schedule",
    ),
    path(
        "oncall/schedules/<int:pk>/final",
        oncall.ScheduleFinalView.as_view(),
        name="warroom_schedule_final",
    ),
    path(
        "oncall/schedules/<int:pk>/layers/",
        oncall.LayerListView.as_view(),
        name="warroom_schedule_layers",
    ),
    path(
        "oncall/schedules/<int:pk>/overrides/",
        oncall.OverrideListView.as_view(),
        name="warroom_schedule_overrides",
    ),
    path("oncall/layers/<int:pk>", oncall.LayerDetailView.as_view(), name="warroom_layer"),
    path(
        "oncall/overrides/<int:pk>/cancel",
        oncall.OverrideCancelView.as_view(),
        name="warroom_override_cancel",
    ),
    path("oncall/feeds/", oncall.FeedListView.as_view(), name="warroom_feeds"),
    path(
        "oncall/feeds/<int:pk>/revoke",
        oncall.FeedRevokeView.as_view(),
        name="warroom_feed_revoke",
    ),
    path(
        "oncall/feeds/<int:pk>/rotate",
        oncall.FeedRotateView.as_view(),
        name="warroom_feed_rotate",
    ),
    path("teams/", teams.TeamListView.as_view(), name="warroom_teams"),
    path("teams/<slug:slug>", teams.TeamDetailView.as_view(), name="warroom_team"),
    path("teams/<slug:slug>/members", teams.TeamMembersView.as_view(), name="warroom_team_members"),
    path("teams/<slug:slug>/lead", teams.TeamLeadView.as_view(), name="warroom_team_lead"),
    path(
        "teams/<slug:slug>/test-page",
        teams.TeamTestPageView.as_view(),
        name="warroom_team_test_page",
    ),
    path("escalation-policies/", teams.PolicyListView.as_view(), name="warroom_policies"),
    path(
        "escalation-policies/<int:pk>",
        teams.PolicyDetailView.as_view(),
        name="warroom_policy",
    ),
    path("pages/", teams.PageListView.as_view(), name="warroom_pages"),
    path("pages/<int:pk>", teams.PageDetailView.as_view(), name="warroom_page"),
    path(
        "pages/<int:pk>/acknowledge",
        teams.PageAcknowledgeView.as_view(),
        name="warroom_page_acknowledge",
    ),
    path("pages/<int:pk>/resolve", teams.PageResolveView.as_view(), name="warroom_page_resolve"),
]
