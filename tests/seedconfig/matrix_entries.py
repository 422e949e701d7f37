"""Role-matrix entries of the seed configuration: the read API and the portal pages.

See tests/matrix.py. ``?include_secrets=1`` shares its route with the plain reads; who may
use it is tested in tests/seedconfig/api/test_views.py.
"""

from __future__ import annotations

from apps.accounts.roles import FINANCE, SUPER_ADMIN
from tests.matrix import EVERY_ROLE, Entry

READ_SCOPES = {"config:read"}
REQUESTERS = {FINANCE, SUPER_ADMIN}


def _version(ctx):
    def make():
        from apps.seedconfig.services import config_apply
        from tests.factories import UserFactory
        from tests.seedconfig.conftest import load_seed

        approver = UserFactory(roles=[SUPER_ADMIN])
        return config_apply(actor=approver, payload=load_seed(), change_request_id=None)

    return ctx.get("version", make)


ENTRIES = [
    Entry("seedconfig.api.config", "GET", "/v1/config/", roles=EVERY_ROLE, scopes=READ_SCOPES),
    Entry(
        "seedconfig.api.networks",
        "GET",
        "/v1/config/networks",
        roles=EVERY_ROLE,
        scopes=READ_SCOPES,
    ),
    Entry(
        "seedconfig.api.assets", "GET", "/v1/config/assets", roles=EVERY_ROLE, scopes=READ_SCOPES
    ),
    Entry(
        "seedconfig.api.treasury_wallets",
        "GET",
        "/v1/config/treasury-wallets",
        roles=EVERY_ROLE,
        scopes=READ_SCOPES,
    ),
    Entry(
        "seedconfig.api.fee_rules",
        "GET",
        "/v1/config/fee-rules",
        roles=EVERY_ROLE,
        scopes=READ_SCOPES,
    ),
    Entry(
        "seedconfig.api.limits", "GET", "/v1/config/limits", roles=EVERY_ROLE, scopes=READ_SCOPES
    ),
    Entry(
        "seedconfig.api.versions",
        "GET",
        "/v1/config/versions/",
        roles=EVERY_ROLE,
        scopes=READ_SCOPES,
    ),
    Entry(
        "seedconfig.api.version",
        "GET",
        lambda ctx: f"/v1/config/versions/{_version(ctx).number}/",
        roles=EVERY_ROLE,
        scopes=READ_SCOPES,
    ),
    # --- portal pages ------------------------------------------------------------------
    Entry("seedconfig.page.current", "GET", "/config/", roles=EVERY_ROLE),
    Entry("seedconfig.page.versions", "GET", "/config/versions/", roles=EVERY_ROLE),
    Entry(
        "seedconfig.page.version",
        "GET",
        lambda ctx: f"/config/versions/{_version(ctx).number}/",
        roles=EVERY_ROLE,
    ),
    Entry(
        "seedconfig.page.compare",
        "GET",
        lambda ctx: f"/config/compare/?older=0&newer={_version(ctx).number}",
        roles=EVERY_ROLE,
    ),
    Entry("seedconfig.page.fee_rule_new", "GET", "/config/fee-rules/new/", roles=REQUESTERS),
    Entry(
        "seedconfig.page.fee_rule_edit",
        "GET",
        lambda ctx: (_version(ctx), "/config/fee-rules/bonding_swap_fee/edit/")[1],
        roles=REQUESTERS,
    ),
    Entry("seedconfig.page.wallet_new", "GET", "/config/treasury-wallets/new/", roles=REQUESTERS),
    Entry(
        "seedconfig.page.version_restore",
        "POST",
        lambda ctx: f"/config/versions/{_version(ctx).number}/restore/",
        roles=REQUESTERS,
        data={"reason": "matrix"},
    ),
]
