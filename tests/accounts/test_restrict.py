"""``policy.restrict``: the one read path, for people (roles and django-guardian grants) and
tokens (scopes)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from guardian.shortcuts import assign_perm

from apps.accounts.policy import restrict
from apps.accounts.roles import OPS, REVIEWER
from apps.oncall import services
from apps.oncall.models import Schedule
from tests.factories import make_token

pytestmark = pytest.mark.django_db


def _of(schedules):
    return Schedule.objects.filter(pk__in=[schedule.pk for schedule in schedules])


@pytest.fixture
def two_schedules(make_user):
    ops = make_user(OPS)
    team = services.team_create(actor=ops, name="Restrict team", slug="restrict-team")
    return [
        services.schedule_create(actor=ops, team=team, kind=kind, timezone_name="Asia/Jakarta")
        for kind in ("primary", "backup")
    ]


def test_restrict__role_holds_the_permission__every_row(make_user, two_schedules):
    rows = restrict(_of(two_schedules), make_user(OPS), "oncall.change_schedule")

    assert set(rows) == set(two_schedules)


def test_restrict__guardian_grant_on_one_object__only_that_row(make_user, two_schedules):
    lead = make_user(REVIEWER)
    assign_perm("oncall.change_schedule", lead, two_schedules[0])

    rows = restrict(_of(two_schedules), lead, "oncall.change_schedule")

    assert list(rows) == [two_schedules[0]]


def test_restrict__no_permission_no_grant__none(make_user, two_schedules):
    rows = restrict(_of(two_schedules), make_user(REVIEWER), "oncall.change_schedule")

    assert not rows.exists()


def test_restrict__permission_of_another_model__no_grant_lookup__none(make_user, two_schedules):
    rows = restrict(_of(two_schedules), make_user(REVIEWER), "flags.set_user_scope")

    assert not rows.exists()


@pytest.mark.parametrize(("scopes", "seen"), [(["oncall:read"], 2), (["flags:read"], 0), ([], 0)])
def test_restrict__token__by_scope(two_schedules, scopes, seen):
    token, _plaintext = make_token(scopes=scopes)

    rows = restrict(_of(two_schedules), token, "oncall.view_schedule", scope="oncall:read")

    assert rows.count() == seen


def test_restrict__token_on_a_people_only_read__none(two_schedules):
    token, _plaintext = make_token(scopes=["oncall:read"])

    assert not restrict(_of(two_schedules), token, "oncall.view_schedule").exists()


@pytest.mark.parametrize("caller", [None, AnonymousUser()])
def test_restrict__nobody__none(two_schedules, caller):
    assert not restrict(_of(two_schedules), caller, "oncall.view_schedule").exists()


def test_restrict__service_account_without_its_token__none(two_schedules):
    token, _plaintext = make_token(scopes=["oncall:read"])

    rows = restrict(_of(two_schedules), token.service_account, "oncall.view_schedule")

    assert not rows.exists()
