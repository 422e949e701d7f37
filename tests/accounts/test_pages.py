"""Declared page rules (apps.accounts.pages): enforced before the view runs, failing closed,
and every portal page is in the role matrix."""

from __future__ import annotations

import pytest
from guardian.shortcuts import assign_perm

from apps.accounts.roles import OPS, REVIEWER, SUPER_ADMIN
from apps.core.rules import declared_page_rules, page_rule
from tests.accounts import urls_pages_probe as probe
from tests.matrix import collect_entries, uncovered_routes

pytestmark = pytest.mark.django_db
PROBE = "tests.accounts.urls_pages_probe"


@pytest.fixture(autouse=True)
def _forget_calls():
    probe.CALLS.clear()


@pytest.mark.urls(PROBE)
def test_undeclared_page__verified_super_admin__403_and_view_never_runs(make_user, verified_client):
    client = verified_client(make_user(SUPER_ADMIN))

    for method in ("get", "post"):
        response = getattr(client, method)("/probe/undeclared/")
        assert response.status_code == 403

    assert probe.CALLS == []


@pytest.mark.urls(PROBE)
def test_undeclared_page__anonymous__403_not_a_login_redirect(client):
    response = client.get("/probe/undeclared/")

    assert response.status_code == 403
    assert probe.CALLS == []


@pytest.mark.urls(PROBE)
def test_per_method_rule__undeclared_method__refused(make_user, verified_client):
    client = verified_client(make_user(REVIEWER))

    assert client.get("/probe/get-only/").status_code == 200
    assert client.post("/probe/get-only/").status_code == 403
    assert probe.CALLS == ["GET"]


@pytest.mark.urls(PROBE)
def test_declared_page__anonymous__sent_to_login(client):
    response = client.get("/probe/get-only/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/probe/get-only/")


@pytest.mark.urls(PROBE)
def test_object_rule__guardian_grant_on_the_object__admits_only_that_object(
    make_user, verified_client
):
    from apps.oncall import services

    ops = make_user(OPS)
    team = services.team_create(actor=ops, name="Probe team", slug="probe-team")
    granted = services.schedule_create(
        actor=ops, team=team, kind="primary", timezone_name="Europe/Warsaw"
    )
    other = services.schedule_create(
        actor=ops, team=team, kind="backup", timezone_name="Europe/Warsaw"
    )
    lead = make_user(REVIEWER)
    assign_perm("oncall.change_schedule", lead, granted)
    client = verified_client(lead)

    assert client.get(f"/probe/schedules/{granted.pk}/").status_code == 200
    assert client.get(f"/probe/schedules/{other.pk}/").status_code == 403
    assert client.get("/probe/schedules/999999/").status_code == 404
    assert probe.CALLS == ["object"]


@pytest.mark.urls(PROBE)
def test_matrix_completeness__page_without_entry__is_reported():
    missing = uncovered_routes(collect_entries())

    assert "* /probe/undeclared/" in missing
    assert "* /probe/get-only/" in missing
    assert "* /probe/schedules/<int:pk>/" in missing
    assert len(missing) == 3  # the real routes all have entries


def test_every_portal_view__declares_a_rule():
    """Declared by decorator or class attribute, not just enforced by luck of a wrapper."""
    from django.urls import get_resolver

    from apps.accounts.pages import EXEMPT_VIEW_MODULES
    from tests.matrix import API_PREFIX, EXEMPT_PAGE_PREFIXES, _walk

    undeclared = [
        route
        for route, _name, callback in _walk(get_resolver().url_patterns, "")
        if not ("/" + route).startswith((API_PREFIX, *EXEMPT_PAGE_PREFIXES))
        and not callback.__module__.startswith(EXEMPT_VIEW_MODULES)
        and not declared_page_rules(callback)
    ]

    assert undeclared == []


def test_page_rule__wrong_arguments__refused_at_import():
    with pytest.raises(TypeError):
        page_rule()
    with pytest.raises(TypeError):
        page_rule("flags.view_flag", post="flags.view_flag")
