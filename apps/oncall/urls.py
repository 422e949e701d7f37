"""On-call pages under /warroom/ (teams, schedules, escalation policies, pages, feeds).

They share the "warroom" URL namespace with the launch plan and checklists: the project
URL map mounts both apps' patterns under /warroom/ as one namespace, so paths and names
stay what they were before on-call became its own app.
"""

from django.urls import path, re_path

from apps.oncall.views import board, feeds, paging, schedules

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
    re_path(r"^ical/(?P<token>[A-Za-z0-9_-]{40,100})\.ics$", feeds.ical_feed, name="ical_feed"),
]
