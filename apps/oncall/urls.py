"""War-room pages under /warroom/."""

from django.urls import path, re_path

from apps.warroom.urls_launch import launch_urlpatterns
from apps.warroom.views import board, feeds, paging, schedules
from apps.warroom.views import checklists as checklist_views

app_name = "warroom"

urlpatterns = [
    path("", board.board, name="board"),
    path("teams/<slug:slug>/", board.team_detail, name="team_detail"),
    path("teams/<slug:slug>/override", board.board_override, name="board_override"),
    path("teams/<slug:slug>/members", board.team_members, name="team_members"),
    path("teams/<slug:slug>/test-page", board.team_test_page, name="team_test_page"),
    path("teams/<slug:slug>/page", board.team_trigger_page, name="team_trigger_page"),
    path("teams/<slug:slug>/policies/new", paging.policy_new, name="policy_new"),
    path(
        "teams/<slug:slug>/policies/launch-chain",
        board.team_launch_chain,
        name="team_launch_chain",
    ),
    path("schedules/<int:pk>/", schedules.schedule_detail, name="schedule_detail"),
    path("schedules/<int:pk>/edit", schedules.schedule_edit, name="schedule_edit"),
    path("schedules/<int:pk>/layers/new", schedules.layer_new, name="layer_new"),
    path("schedules/<int:pk>/overrides/new", schedules.override_new, name="override_new"),
    path("layers/<int:pk>/edit", schedules.layer_edit, name="layer_edit"),
    path("layers/<int:pk>/end", schedules.layer_end, name="layer_end"),
    path("overrides/<int:pk>/cancel", schedules.override_cancel, name="override_cancel"),
    path("policies/<int:pk>/", paging.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/edit", paging.policy_edit, name="policy_edit"),
    path("pages/", paging.page_list, name="page_list"),
    path("pages/<int:pk>/", paging.page_detail, name="page_detail"),
    path("pages/<int:pk>/acknowledge", paging.page_acknowledge, name="page_acknowledge"),
    path("pages/<int:pk>/resolve", paging.page_resolve, name="page_resolve"),
    path("pages/ack/<str:token>/", paging.page_ack_link, name="page_ack_link"),
    path("feeds/", feeds.feed_list, name="feeds"),
    path("feeds/<int:pk>/revoke", feeds.feed_action, {"action": "revoke"}, name="feed_revoke"),
    path("feeds/<int:pk>/rotate", feeds.feed_action, {"action": "rotate"}, name="feed_rotate"),
    path("checklists/", checklist_views.checklist_list, name="checklist_list"),
    path("checklists/start", checklist_views.run_start, name="checklist_start"),
    path("checklists/templates/new", checklist_views.template_new, name="checklist_template_new"),
    path(
        "checklists/templates/<slug:slug>/",
        checklist_views.template_detail,
        name="checklist_template",
    ),
    path(
        "checklists/templates/<slug:slug>/edit",
        checklist_views.template_edit,
        name="checklist_template_edit",
    ),
    path("checklists/runs/<int:pk>/", checklist_views.run_detail, name="checklist_run"),
    path(
        "checklists/runs/<int:pk>/items/<int:position>",
        checklist_views.item_mark,
        name="checklist_item_mark",
    ),
    path(
        "checklists/runs/<int:pk>/items/<int:position>/evidence",
        checklist_views.item_evidence,
        name="checklist_item_evidence",
    ),
    path(
        "checklists/marks/<int:pk>/evidence",
        checklist_views.mark_evidence,
        name="checklist_mark_evidence",
    ),
    path(
        "checklists/runs/<int:pk>/complete",
        checklist_views.run_complete,
        name="checklist_complete",
    ),
    path("checklists/runs/<int:pk>/abandon", checklist_views.run_abandon, name="checklist_abandon"),
    path("checklists/runs/<int:pk>/report", checklist_views.run_report, name="checklist_report"),
    path(
        "checklists/runs/<int:pk>/report.md",
        checklist_views.run_report_markdown,
        name="checklist_report_md",
    ),
    path(
        "checklists/runs/<int:pk>/report.pdf",
        checklist_views.run_report_pdf,
        name="checklist_report_pdf",
    ),
    re_path(r"^ical/(?P<token>[A-Za-z0-9_-]{40,100})\.ics$", feeds.ical_feed, name="ical_feed"),
]

urlpatterns += launch_urlpatterns
