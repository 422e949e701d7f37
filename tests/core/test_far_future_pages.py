"""Stored moments far in the future (an end on 9999-12-31) never fail a page.

Input validation refuses such dates today, but flag states are append-only and older
rows may hold them: every page must show them, whatever the viewer's time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from apps.approvals.models import FreezeWindow
from apps.flags.models import Flag, FlagState, StateSource
from apps.oncall import services as oncall
from apps.oncall.models import Override

pytestmark = pytest.mark.django_db

FAR_FUTURE = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
FAR_EAST = "Pacific/Kiritimati"  # UTC+14


@pytest.fixture
def far_east_ops(make_user, verified_client):
    person = make_user("ops", "super_admin", username="far-east")
    person.timezone = FAR_EAST
    person.save(update_fields=["timezone"])
    return person, verified_client(person)


def test_date_filter__far_future_seen_from_utc_plus_14__shown_in_utc():
    template = Template('{{ when|date:"Y-m-d H:i O" }}|{{ when|time:"H:i" }}')

    with timezone.override(FAR_EAST):
        text = template.render(Context({"when": FAR_FUTURE}))

    assert text == "9999-12-31 23:59 +0000|23:59"


def test_date_filter__ordinary_moment__still_in_the_viewers_zone():
    template = Template('{{ when|date:"Y-m-d H:i O" }}')
    with timezone.override(FAR_EAST):
        text = template.render(Context({"when": datetime(2026, 1, 1, 12, 0, tzinfo=UTC)}))
    assert text == "2026-01-02 02:00 +1400"


def test_in_zone_filter__far_future__shown_in_utc_not_an_error():
    template = Template('{{ when|in_zone:"Asia/Jakarta"|date:"Y-m-d H:i" }}')
    assert template.render(Context({"when": FAR_FUTURE})) == "9999-12-31 23:59"
    ordinary = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert template.render(Context({"when": ordinary})) == "2026-01-01 19:00"


def test_flags_pages__state_until_9999__answer_for_a_viewer_at_utc_plus_14(far_east_ops):
    person, client = far_east_ops
    FlagState.objects.create(
        flag=Flag.objects.get(key="feed.post"),
        state="blocked",
        reason="blocked until the end of time",
        actor=person,
        source=StateSource.PORTAL,
        until=FAR_FUTURE,
    )

    panel = client.get("/flags/")
    detail = client.get("/flags/feed.post/")

    assert panel.status_code == 200 and detail.status_code == 200
    assert "9999" in panel.content.decode() and "9999" in detail.content.decode()


def test_schedule_page__override_ending_9999__answers_and_offers_the_cancel(
    make_user, verified_client
):
    ops = make_user("ops", username="schedule-ops")
    alice = make_user("support", username="alice")
    team = oncall.team_create(actor=ops, name="Far", slug="far")
    oncall.team_member_add(actor=ops, team=team, user=alice)
    schedule = oncall.schedule_create(
        actor=ops, team=team, kind="primary", timezone_name="Asia/Jakarta"
    )
    oncall.layer_create(
        actor=ops,
        schedule=schedule,
        name="Daily",
        shift_kind="daily",
        shift_length=1,
        handoff_time=time(9, 0),
        start_date=timezone.localdate() - timedelta(days=3),
        participants=[alice],
    )
    override = Override.objects.create(
        schedule=schedule,
        user=alice,
        start=timezone.now() + timedelta(days=1),
        end=FAR_FUTURE,
        reason="covers forever",
        created_by=ops,
    )

    response = verified_client(ops).get(f"/warroom/schedules/{schedule.pk}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "9999" in body
    assert f"/warroom/overrides/{override.pk}/cancel" in body


def test_freeze_windows_page__ending_9999__answers_at_utc_plus_14(far_east_ops):
    person, client = far_east_ops
    FreezeWindow.objects.create(
        name="frozen forever",
        kind=FreezeWindow.Kind.CONFIG_FREEZE,
        starts_at=timezone.now(),
        ends_at=FAR_FUTURE,
        frozen_kinds=[],
        reason="old row",
        created_by=person,
    )

    response = client.get("/approvals/freeze/")

    assert response.status_code == 200
    assert "9999" in response.content.decode()
