"""War-room endpoints under /v1/ (namespace "api")."""

from django.urls import path

from apps.warroom.api import views_checklists as checklists
from apps.warroom.api import views_oncall as oncall
from apps.warroom.api import views_teams as teams
from apps.warroom.api.urls_launch import launch_urlpatterns

urlpatterns = [
    path(
        "checklists/templates/",
        checklists.ChecklistTemplateListView.as_view(),
        name="warroom_checklist_templates",
    ),
    path(
        "checklists/templates/<slug:slug>",
        checklists.ChecklistTemplateDetailView.as_view(),
        name="warroom_checklist_template",
    ),
    path(
        "checklists/runs/",
        checklists.ChecklistRunListView.as_view(),
        name="warroom_checklist_runs",
    ),
    path(
        "checklists/runs/<int:pk>",
        checklists.ChecklistRunDetailView.as_view(),
        name="warroom_checklist_run",
    ),
    path(
        "checklists/runs/<int:pk>/items/<int:position>",
        checklists.ChecklistItemMarkView.as_view(),
        name="warroom_checklist_item_mark",
    ),
    path(
        "checklists/runs/<int:pk>/complete",
        checklists.ChecklistRunCompleteView.as_view(),
        name="warroom_checklist_run_complete",
    ),
    path(
        "checklists/runs/<int:pk>/abandon",
        checklists.ChecklistRunAbandonView.as_view(),
        name="warroom_checklist_run_abandon",
    ),
    path(
        "checklists/runs/<int:pk>/report.md",
        checklists.ChecklistRunReportView.as_view(),
        name="warroom_checklist_run_report",
    ),
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

urlpatterns += launch_urlpatterns
