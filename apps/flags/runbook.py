"""The runbook's switches (launch runbook §11.3, §11.6, §11.7; post-launch §12.3–12.4).

Fund-related flags (turning them back on needs a second person): contribute, finalize,
claim, payout, refund. The rest are operational. ``public_live`` is the soft-launch gate:
closed by default, opened for an allow-list of users, then globally.

Created by migration 0002 and again after every ``migrate``/``flush`` (a flag already
present is left as it is), like the role groups: a database emptied by a test's flush
still has them.
"""

from __future__ import annotations

RUNBOOK_FLAGS = (
    (
        "project.submit",
        "kill_switch",
        False,
        ["user"],
        "New project submissions on the platform. Block to stop new submissions (all, or "
        "one user's) while reviews catch up or during abuse; submitted projects stay.",
    ),
    (
        "round.approve",
        "kill_switch",
        False,
        ["round", "project"],
        "Admin approval of new fundraising rounds. Block to stop rounds from being approved "
        "(all, one round or one project's); approved rounds are not touched.",
    ),
    (
        "contribute",
        "kill_switch",
        True,
        ["round", "project", "network", "user"],
        "Contributions to fundraising rounds. Block globally or per round (also per "
        "project, network or user) when a round, a price feed or the ledger misbehaves; "
        "contributions already made stay. Re-enabling needs a second person.",
    ),
    (
        "finalize",
        "kill_switch",
        True,
        ["round", "project"],
        "Finalizing rounds (admin): distributing raised funds and minting allocations. "
        "Block globally or per round while figures are reconciled. Re-enabling needs a "
        "second person.",
    ),
    (
        "claim",
        "kill_switch",
        True,
        ["claim_type", "user", "round"],
        "Claims of vesting, referral rewards and SBTs. Block per claim type (vesting, "
        "referral, sbt), per round, or freeze one customer's claims (support, e.g. referral "
        "farming). Re-enabling needs a second person.",
    ),
    (
        "payout",
        "kill_switch",
        True,
        ["network", "round"],
        "Payouts from treasury wallets. Freeze per network (or per round) when a ledger bug "
        "or a chain incident is suspected. Re-enabling needs a second person.",
    ),
    (
        "refund",
        "kill_switch",
        True,
        ["network", "round"],
        "Refunds of failed or cancelled rounds. Block per network or per round while "
        "refunds are reconciled. Re-enabling needs a second person.",
    ),
    (
        "feed.post",
        "kill_switch",
        False,
        ["user"],
        "Posting and replying in the social feed. Block globally during a spam wave, or "
        "one user's posting (support, moderation); existing posts stay.",
    ),
    (
        "ama.join_token",
        "kill_switch",
        False,
        ["project", "user"],
        "Issuing AMA join tokens. Block globally, per project's AMA or for one suspicious "
        "account; tokens already issued stay valid.",
    ),
    (
        "public_live",
        "gate",
        False,
        ["user"],
        "Public access to the platform (soft launch). Closed until opened: open it for "
        "allow-listed users and developers first, then globally on public launch.",
    ),
)


def ensure_runbook_flags(flag_model=None) -> int:
    """Create the runbook flags that do not exist yet; returns how many were created."""
    if flag_model is None:
        from apps.flags.models import Flag as flag_model
    created = 0
    for key, kind, fund_related, scopes, description in RUNBOOK_FLAGS:
        _flag, was_created = flag_model.objects.get_or_create(
            key=key,
            defaults={
                "kind": kind,
                "fund_related": fund_related,
                "scopes": scopes,
                "description": description,
            },
        )
        created += was_created
    return created
