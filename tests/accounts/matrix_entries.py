"""Role-matrix entries of accounts: /v1/me, service accounts and tokens (API and pages).

See tests/matrix.py for how entries work. The MFA, profile and people pages add theirs
below the marked line.
"""

from __future__ import annotations

from apps.accounts.roles import SUPER_ADMIN
from tests.factories import ServiceAccountFactory, make_token
from tests.matrix import ANY_TOKEN, EVERY_ROLE, Entry


def _account(ctx):
    return ctx.get("service_account", ServiceAccountFactory)


def _token(ctx):
    return ctx.get("token", lambda: make_token(scopes=["flags:read"])[0])


def _lockout(ctx) -> dict:
    """A current lockout (five failures of one username at one address) to lift."""

    def make():
        from axes.models import AccessAttempt
        from django.utils import timezone

        username = ctx.unique("locked")
        AccessAttempt.objects.create(
            username=username,
            ip_address="203.0.113.77",
            user_agent="matrix",
            get_data="",
            post_data="",
            http_accept="",
            path_info="/accounts/login/",
            failures_since_start=5,
            attempt_time=timezone.now(),
        )
        return {"username": username, "ip_address": "203.0.113.77", "reason": "matrix"}

    return ctx.get("lockout", make)


MANAGERS = {SUPER_ADMIN}

ENTRIES = [
    # --- /v1/ ------------------------------------------------------------------------
    Entry("accounts.api.me", "GET", "/v1/me", roles=EVERY_ROLE, scopes=ANY_TOKEN),
    Entry("accounts.api.service_accounts.list", "GET", "/v1/service-accounts/", roles=MANAGERS),
    Entry(
        "accounts.api.service_accounts.create",
        "POST",
        "/v1/service-accounts/",
        roles=MANAGERS,
        data=lambda ctx: {"username": ctx.unique("svc"), "description": "matrix"},
    ),
    Entry(
        "accounts.api.tokens.list",
        "GET",
        lambda ctx: f"/v1/service-accounts/{_account(ctx).pk}/tokens/",
        roles=MANAGERS,
    ),
    Entry(
        "accounts.api.tokens.create",
        "POST",
        lambda ctx: f"/v1/service-accounts/{_account(ctx).pk}/tokens/",
        roles=MANAGERS,
        data={"name": "matrix", "scopes": ["flags:read"]},
    ),
    Entry(
        "accounts.api.tokens.revoke",
        "POST",
        lambda ctx: f"/v1/tokens/{_token(ctx).pk}/revoke",
        roles=MANAGERS,
        data={"reason": "matrix"},
    ),
    Entry(
        "accounts.api.tokens.scopes",
        "POST",
        lambda ctx: f"/v1/tokens/{_token(ctx).pk}/scopes",
        roles=MANAGERS,
        data={"scopes": ["flags:read", "flags:write"], "reason": "matrix"},
    ),
    # --- portal pages ------------------------------------------------------------------
    Entry("accounts.page.service_accounts", "GET", "/service-accounts/", roles=MANAGERS),
    Entry("accounts.page.service_account_new", "GET", "/service-accounts/new/", roles=MANAGERS),
    Entry(
        "accounts.page.service_account_create",
        "POST",
        "/service-accounts/new/",
        roles=MANAGERS,
        data=lambda ctx: {"username": ctx.unique("svc"), "description": "matrix"},
    ),
    Entry(
        "accounts.page.service_account",
        "GET",
        lambda ctx: f"/service-accounts/{_account(ctx).pk}/",
        roles=MANAGERS,
    ),
    Entry(
        "accounts.page.service_account_disable",
        "POST",
        lambda ctx: f"/service-accounts/{_account(ctx).pk}/disable/",
        roles=MANAGERS,
        data={},
    ),
    Entry(
        "accounts.page.token_new",
        "GET",
        lambda ctx: f"/service-accounts/{_account(ctx).pk}/tokens/new/",
        roles=MANAGERS,
    ),
    Entry(
        "accounts.page.token_create",
        "POST",
        lambda ctx: f"/service-accounts/{_account(ctx).pk}/tokens/new/",
        roles=MANAGERS,
        data={"name": "matrix", "scopes": ["flags:read"], "expires_on": "2099-01-01"},
    ),
    Entry(
        "accounts.page.token_scopes_form",
        "GET",
        lambda ctx: f"/service-accounts/tokens/{_token(ctx).pk}/scopes/",
        roles=MANAGERS,
    ),
    Entry(
        "accounts.page.token_scopes",
        "POST",
        lambda ctx: f"/service-accounts/tokens/{_token(ctx).pk}/scopes/",
        roles=MANAGERS,
        data={"scopes": ["flags:read", "flags:write"], "reason": "matrix"},
    ),
    Entry(
        "accounts.page.token_revoke",
        "POST",
        lambda ctx: f"/service-accounts/tokens/{_token(ctx).pk}/revoke/",
        roles=MANAGERS,
        data={"reason": "matrix"},
    ),
    # --- MFA, profile and people pages: add entries below -----------------------------
    Entry("accounts.page.lockouts", "GET", "/accounts/lockouts/", roles=MANAGERS),
    Entry(
        "accounts.page.lockout_lift",
        "POST",
        "/accounts/lockouts/lift/",
        roles=MANAGERS,
        data=_lockout,
    ),
    Entry("accounts.api.lockouts", "GET", "/v1/lockouts/", roles=MANAGERS),
    Entry("accounts.api.lockout_lift", "POST", "/v1/lockouts/lift", roles=MANAGERS, data=_lockout),
]


# --- MFA, profile and people pages ----------------------------------------------------------
# Enrolment and verification are for every signed-in person, MFA passed or not; the profile
# is every verified person's own; everyone verified sees the people list, super admins
# grant and remove roles and reset MFA.


def _person(ctx):
    from tests.factories import UserFactory

    return ctx.get("person", lambda: UserFactory(roles=["reviewer"]))


ENTRIES += [
    Entry("accounts.page.mfa_enrol", "GET", "/accounts/mfa/enrol/", signed_in=True),
    Entry("accounts.page.mfa_verify", "GET", "/accounts/mfa/verify/", signed_in=True),
    Entry("accounts.page.login", "GET", "/accounts/login/", public=True),
    Entry("accounts.page.logout", "POST", "/accounts/logout/", public=True),
    Entry("accounts.page.profile", "GET", "/accounts/profile/", roles=EVERY_ROLE),
    Entry(
        "accounts.page.backup_codes", "POST", "/accounts/profile/backup-codes/", roles=EVERY_ROLE
    ),
    Entry("accounts.page.people", "GET", "/accounts/people/", roles=EVERY_ROLE),
    Entry(
        "accounts.page.person",
        "GET",
        lambda ctx: f"/accounts/people/{_person(ctx).pk}/",
        roles=EVERY_ROLE,
    ),
    Entry(
        "accounts.page.role_grant",
        "POST",
        lambda ctx: f"/accounts/people/{_person(ctx).pk}/roles/grant/",
        roles=MANAGERS,
        data={"role": "nonsense"},
    ),
    Entry(
        "accounts.page.role_revoke",
        "POST",
        lambda ctx: f"/accounts/people/{_person(ctx).pk}/roles/revoke/",
        roles=MANAGERS,
        data={"role": "nonsense"},
    ),
    Entry(
        "accounts.page.mfa_reset",
        "POST",
        lambda ctx: f"/accounts/people/{_person(ctx).pk}/mfa-reset/",
        roles=MANAGERS,
        data={},
    ),
]
