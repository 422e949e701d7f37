"""The page walk: every portal page, as every role, in every language, answers without a
server error and without a template failing.

The demo data is built once (the same steps ``manage.py demo`` runs), plus rows that
input validation refuses today but that may already be stored: a flag state, an override
and a freeze window ending on 9999-12-31. Then, for each role (one verified person per
role) and for a viewer in the far east (Pacific/Kiritimati, UTC+14), the walk collects the
pages reachable from the navigation by following the links of every page it renders (at
most ``PER_ROUTE`` pages per route, so a long list does not make it slow) plus an
explicit list of detail pages of the demo objects, and requests each one in English,
Indonesian and Russian. A new page linked from anywhere is walked without touching this
file.

Every template variable that does not resolve renders as ``INVALID_MARKER``; a page
showing it fails the walk too (a typo in a template, a renamed attribute).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from apps.accounts.roles import ROLES
from tests.conftest import verify_session

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "id", "ru")
FAR_EAST = "Pacific/Kiritimati"
FAR_FUTURE = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
INVALID_MARKER = "§INVALID§"
PER_ROUTE = 1
MAX_PAGES_PER_CALLER = 200
# Links the walk does not follow: leaving the portal, downloads (binary answers) and the
# acknowledgement link of a page, which acknowledges by being opened.
SKIPPED_PREFIXES = ("/admin/", "/i18n/", "/static/", "/v1/", "/accounts/logout/", "/metrics")
SKIPPED_ROUTE_NAMES = {
    "warroom:page_ack_link",
    "warroom:ical_feed",
    "warroom:checklist_report_pdf",
    "warroom:checklist_item_evidence",
    "warroom:checklist_mark_evidence",
}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _links(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        if href.startswith("?"):
            href = base + href
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _route_key(url: str) -> tuple | None:
    parts = urlsplit(url)
    if parts.path.startswith(SKIPPED_PREFIXES):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ("unresolved", parts.path)
    if match.view_name in SKIPPED_ROUTE_NAMES:
        return None
    return (match.view_name, tuple(sorted({key for key, _value in parse_qsl(parts.query)})))


# --- the world ----------------------------------------------------------------------------


def _build_demo():
    from apps.core import demo

    context = demo.DemoContext(say=lambda text: None)
    for person in demo.demo_people_ensure(password="walk-the-pages-password"):
        context.users[person.user.username] = person.user
    autodiscover_modules("demo")
    for step in demo.demo_steps():
        step.func(context)
    return context.users


def _far_future_rows(users) -> None:
    """Rows with an end on 9999-12-31, written past the services as old data would be."""
    from apps.approvals.models import FreezeWindow
    from apps.flags.models import Flag, FlagState, StateSource
    from apps.oncall.models import Override, Team

    now = timezone.now()
    FlagState.objects.create(
        flag=Flag.objects.get(key="feed.post"),
        scope_kind="global",
        scope_value="",
        state="blocked",
        reason="Walk: blocked until the end of time",
        actor=users["ops"],
        source=StateSource.PORTAL,
        effective_from=now - timedelta(minutes=5),
        until=FAR_FUTURE,
    )
    schedule = Team.objects.get(slug="backend").schedules.get(kind="primary")
    Override.objects.create(
        schedule=schedule,
        user=users["admin"],
        start=now + timedelta(days=2),
        end=FAR_FUTURE,
        reason="Walk: covers forever",
        created_by=users["admin"],
    )
    FreezeWindow.objects.create(
        name="Walk: frozen forever",
        kind=FreezeWindow.Kind.CONFIG_FREEZE,
        starts_at=now + timedelta(days=30),
        ends_at=FAR_FUTURE,
        frozen_kinds=[],
        reason="Walk",
        created_by=users["admin"],
    )


def _extra_objects(users) -> dict:
    """Objects the demo does not make but whose pages the walk must see."""
    from apps.accounts.services.tokens import service_account_create, token_create
    from apps.oncall import services as oncall
    from apps.oncall.models import EscalationPolicy, Team

    backend = Team.objects.get(slug="backend")
    policy = EscalationPolicy.objects.filter(team=backend).first()
    page = oncall.page_trigger(
        actor=users["ops"], team=backend, title="Walk: indexer lag", details="", policy=policy
    )
    account = service_account_create(actor=users["admin"], username="walk-robot")
    token_create(
        actor=users["admin"],
        service_account=account,
        name="walk token",
        scopes=["flags:read"],
        expires_at=timezone.now() + timedelta(days=30),
    )
    return {"page": page, "account": account, "policy": policy, "team": backend}


def _explicit_urls(extra) -> list[str]:
    """Detail pages of the demo objects, whether or not a link leads to them."""
    from apps.approvals.models import ChangeRequest
    from apps.seedconfig.models import ConfigVersion
    from apps.warroom.models import ChecklistRun, ChecklistTemplate, LaunchPlan

    run = ChecklistRun.objects.order_by("pk").first()
    launch = LaunchPlan.objects.order_by("pk").first()
    schedule = extra["team"].schedules.get(kind="primary")
    urls = [
        "/",
        "/flags/",
        "/flags/contribute/",
        "/flags/claim/",
        "/flags/feed.post/",
        "/flags/scheduled/",
        "/flags/claim/unblock?scope_kind=user&scope_value=cust-1042",
        "/config/",
        "/config/versions/",
        "/warroom/",
        f"/warroom/teams/{extra['team'].slug}/",
        f"/warroom/schedules/{schedule.pk}/",
        f"/warroom/policies/{extra['policy'].pk}/",
        "/warroom/pages/",
        f"/warroom/pages/{extra['page'].pk}/",
        "/warroom/checklists/",
        f"/warroom/checklists/runs/{run.pk}/",
        f"/warroom/checklists/runs/{run.pk}/report",
        f"/warroom/checklists/runs/{run.pk}/report.md",
        f"/warroom/checklists/templates/{ChecklistTemplate.objects.first().slug}/",
        "/warroom/launches/",
        f"/warroom/launches/{launch.pk}/",
        f"/warroom/launches/{launch.pk}/countdown",
        "/warroom/launch-log/",
        "/warroom/feeds/",
        "/audit/",
        "/audit/?kind=changes&page=2",
        "/audit/?kind=events",
        "/audit/?kind=events&page=2",
        "/audit/?kind=access",
        "/accounts/profile/",
        "/accounts/people/",
        "/service-accounts/",
        f"/service-accounts/{extra['account'].pk}/",
        "/approvals/",
        "/approvals/freeze/",
        "/notify/",
        "/notify/outbox/",
        "/notify/contact-methods/",
    ]
    version = ConfigVersion.objects.order_by("-number").first()
    if version is not None:
        urls.append(f"/config/versions/{version.number}/")
    for change_request in ChangeRequest.objects.order_by("pk")[:3]:
        urls.append(f"/approvals/{change_request.pk}/")
    return urls


@pytest.fixture
def walk_world(settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "OPTIONS": {**settings.TEMPLATES[0]["OPTIONS"]}},
        *settings.TEMPLATES[1:],
    ]
    settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = INVALID_MARKER
    users = _build_demo()
    _far_future_rows(users)
    extra = _extra_objects(users)
    return {"users": users, "explicit": _explicit_urls(extra)}


def _callers():
    from tests.factories import UserFactory

    callers = []
    for role in ROLES:
        callers.append((role, UserFactory(roles=[role], username=f"walk-{role}")))
    far_east = UserFactory(roles=["super_admin", "ops"], username="walk-far-east")
    far_east.timezone = FAR_EAST
    far_east.save(update_fields=["timezone"])
    callers.append((f"super_admin+ops in {FAR_EAST}", far_east))
    return callers


def _problem(response, url: str) -> str | None:
    if response.status_code >= 500:
        return f"{response.status_code}"
    if response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode(errors="replace")
        if INVALID_MARKER in body:
            at = body.index(INVALID_MARKER)
            return f"unresolved template variable near: {body[max(0, at - 120) : at + 20]!r}"
    return None


def _get(client, url: str):
    try:
        return client.get(url), None
    except Exception as exc:  # noqa: BLE001 - a template or view raising is what we look for
        return None, f"{type(exc).__name__}: {exc}"


def _discover(client, seeds: list[str], check) -> list[str]:
    """The pages this caller reaches: the seeds, then every link of every page (BFS).

    Each page is requested once here, in the first language, and its answer is handed to
    ``check(url, response, error)``; the walk then requests the list in the others.
    """
    queue = list(dict.fromkeys(seeds))
    seen: set[str] = set()
    per_route: Counter = Counter()
    pages: list[str] = []
    while queue and len(pages) < MAX_PAGES_PER_CALLER:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        key = _route_key(url)
        if key is None or (per_route[key] >= PER_ROUTE and url not in seeds):
            continue
        per_route[key] += 1
        pages.append(url)
        response, error = _get(client, url)
        check(url, response, error)
        if response is None or response.status_code != 200:
            continue
        if response.get("Content-Type", "").startswith("text/html"):
            queue.extend(_links(response.content.decode(errors="replace"), urlsplit(url).path))
    return pages


def test_page_walk__every_page_every_role_every_language__no_server_error(client, walk_world):
    failures: dict[tuple[str, str], list[str]] = {}
    examples: dict[tuple[str, str], str] = {}
    statuses: Counter = Counter()
    distinct_pages: set[str] = set()
    callers = _callers()

    def check(url, response, error, *, who):
        statuses["requests"] += 1
        if error is None:
            statuses[f"{response.status_code // 100}xx"] += 1
            error = _problem(response, url)
        if error is not None:
            key = (url, error.split(" near: ")[0])
            examples.setdefault(key, error)
            failures.setdefault(key, []).append(who)

    for label, person in callers:
        first, *others = LANGUAGES
        person.language = first
        person.save(update_fields=["language"])
        verify_session(client, person)
        pages = _discover(
            client,
            walk_world["explicit"],
            lambda url, response, error, who=f"{label} [{first}]": check(
                url, response, error, who=who
            ),
        )
        distinct_pages.update(pages)
        for language in others:
            person.language = language
            person.save(update_fields=["language"])
            for url in pages:
                response, error = _get(client, url)
                check(url, response, error, who=f"{label} [{language}]")
        client.logout()

    requested = statuses.pop("requests", 0)
    summary = (
        f"page walk: {requested} requests = {len(distinct_pages)} distinct pages walked by "
        f"{len(callers)} callers ({', '.join(label for label, _p in callers)}) in "
        f"{len(LANGUAGES)} languages; answers by class {dict(sorted(statuses.items()))}; "
        f"{sum(len(who) for who in failures.values())} failing"
    )
    print(summary)  # noqa: T201 - the figure the walk exists to report (visible with -rA)
    details = [
        f"{key[0]}: {examples[key]}\n    as {', '.join(who)}" for key, who in failures.items()
    ]
    assert not failures, summary + "\n" + "\n".join(details[:60])
