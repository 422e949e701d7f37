"""Seed the runbooks' checklists as templates: daily ops (morning, evening), pre-launch
cutover, production smoke test, financial safety verification, go/no-go, release.

The items are translated from the runbooks (Indonesian go-live and post-launch ops
runbooks, the Russian launch plan, the production launch checklist) and keep their
figures. They are data, not code: later changes go through the template editor, which
bumps the template's version; runs already started keep their items.
"""

from django.db import migrations

# Each item: (title, help text, evidence required, required).
TEMPLATES: list[dict] = [
    {
        "slug": "daily-ops-morning",
        "name": "Daily ops — morning",
        "kind": "daily",
        "source": "Post-launch ops runbook §12.1–12.2 (thresholds: §11.4, §12.5)",
        "description": (
            "The morning round of the 15-minute daily check-in during the post-launch weeks: "
            "transactions, indexer, reconcile, claims, refunds, admin actions, and who is on "
            "call today."
        ),
        "items": [
            (
                "Transaction pending aging: review the 20 oldest pending transactions",
                "Top 20 oldest pending transactions in the tx manager. Anything pending longer "
                "than the alert threshold (15 minutes, §11.4) needs an owner: speed-up, manual "
                "reprocess or a ticket. Write down the oldest age and the count over 15 minutes.",
                True,
            ),
            (
                "Indexer lag and missed events",
                "Indexer lag (slots/blocks) below the alert threshold, event processing rate "
                "normal, no missed events or replay duplicates since the last check.",
                True,
            ),
            (
                "Reconcile status: round totals, ledger balances, trending snapshots",
                "Last daily reconcile green: contributions vs round totals, fee_events vs ledger "
                "totals, referral payouts vs ledger claimed. Newest trending snapshot not older "
                "than 20 minutes. A mismatch is never left more than 24 hours without a ticket.",
                True,
            ),
            (
                "Claim failures (vesting / referral / SBT)",
                "Failed claims since the last check, per type. Repeated failures for one user or "
                "a spike → ticket. Referral claims need a blue check and "
                "active_referral_count ≥ 1.",
                False,
            ),
            (
                "Refund queue (failed rounds)",
                "Refunds waiting for failed rounds: count and oldest age. A failed refund has a "
                "retry scheduled or a ticket.",
                False,
            ),
            (
                "Admin actions review (audit log sampling)",
                "Sample yesterday's admin actions in the audit trail. Every fund-related change "
                "had its second person (two-man rule) and a reason.",
                True,
            ),
            (
                "Payout failures",
                "Failed payouts since the last check follow the retry policy. A double payout must "
                "be impossible: if one happened, open an S1 incident.",
                False,
            ),
            (
                "Spam and abuse reports",
                "Open reports on the feed, referrals and AMA; bursts (N posts per minute, "
                "repeated content) and referral farming are escalated.",
                False,
            ),
            (
                "Release-candidate bug backlog",
                "New bugs since yesterday are triaged; S1/S2 bugs have an owner.",
                False,
            ),
            (
                "On call today: primary and backup for backend, ops and finance",
                "The on-call board shows a primary and a backup for backend, ops and finance, "
                "with no coverage gap today. Escalation: L1 on-call 30 min → L2 lead 1 h → "
                "L3 architect 2 h → L4 CTO.",
                False,
            ),
        ],
    },
    {
        "slug": "daily-ops-evening",
        "name": "Daily ops — evening",
        "kind": "daily",
        "source": "Post-launch ops runbook §12.1–12.2, §12.5 (thresholds: §11.4)",
        "description": (
            "The evening round of the daily ops checklist: the same health checks as the "
            "morning, plus treasury, open mismatches, SLOs and incident ownership before the "
            "night."
        ),
        "items": [
            (
                "Transaction pending aging: review the 20 oldest pending transactions",
                "Top 20 oldest pending transactions. Anything pending over 15 minutes (§11.4) has "
                "an owner before the night: speed-up, manual reprocess or a ticket.",
                True,
            ),
            (
                "Indexer lag and missed events",
                "Indexer lag (slots/blocks) below the alert threshold; no missed events or replay "
                "duplicates since the morning check.",
                True,
            ),
            (
                "Reconcile status: round totals, ledger balances, trending snapshots",
                "Contributions vs round totals, fee_events vs ledger totals, referral payouts vs "
                "ledger claimed; trending snapshot not older than 20 minutes.",
                True,
            ),
            (
                "Claim failures (vesting / referral / SBT)",
                "Failed claims since the morning, per type; spikes and repeated failures have a "
                "ticket.",
                False,
            ),
            (
                "Refund queue (failed rounds)",
                "Refunds waiting for failed rounds: count and oldest age; failures retried or "
                "ticketed.",
                False,
            ),
            (
                "Admin actions review (audit log sampling)",
                "Sample today's admin actions in the audit trail; fund-related changes had a "
                "second person.",
                True,
            ),
            (
                "Treasury balance covers the payout and refund schedule",
                "Treasury balance per chain and asset is enough for scheduled payouts and refunds; "
                "fee splits arrived as the fee rules say.",
                True,
            ),
            (
                "No ledger mismatch older than 24 hours without a ticket",
                "Every open mismatch found by the reconcile has a ticket; none is left more than "
                "24 hours without one.",
                False,
            ),
            (
                "SLOs: API p95 latency, success rates, stuck transactions, error spikes",
                "API p95 latency; success rate of contribute confirm, claim and refund; share of "
                "transactions stuck over 15 minutes; error spikes per endpoint.",
                False,
            ),
            (
                "Every open incident ticket has a clear owner",
                "Open incidents and their owners are known to the night on-call.",
                False,
            ),
        ],
    },
    {
        "slug": "pre-launch-cutover",
        "name": "Pre-launch cutover (H-1 → H-0)",
        "kind": "launch",
        "source": "Go-live runbook §11.1–11.4; launch plan §6, §8 (T-1 d → T-30 min)",
        "description": (
            "Before pressing the live button every production component is ready. Acceptance: "
            "every service health check OK and no migration pending."
        ),
        "items": [
            (
                "Release candidate frozen and the final version tagged",
                "Tag the final version (e.g. v1.0.0). Code freeze T-7 → T+2 (hotfixes only, by "
                "procedure); config freeze T-3 → T+1.",
                True,
            ),
            (
                "Migrations locked: only those tested on staging; none pending",
                "No migration that has not run on staging goes out; after deploy no migration "
                "is pending in production.",
                True,
            ),
            (
                "Production secrets generated or rotated (JWT, encryption keys, provider keys)",
                "Record each rotation in the internal secret rotation log and link the entry.",
                True,
            ),
            (
                "Paid RPC key is server-side only",
                "The paid RPC provider key never reaches browsers or apps (check the web bundle "
                "and public config).",
                False,
            ),
            (
                "Services up: tx_manager, indexer, workers (trending, reconcile, fee sweep)",
                "Every service's health check is OK.",
                True,
            ),
            (
                "Database backup policy active (daily + point-in-time recovery)",
                "Daily backups and point-in-time recovery (where available) are on; the last "
                "backup succeeded.",
                True,
            ),
            (
                "DNS and SSL ready for the web and admin domains (HSTS in production)",
                "Both domains resolve, certificates are valid, HSTS is on in production.",
                False,
            ),
            (
                "Production seed config in place (networks, treasury, fee rules, roles)",
                "Supported networks (EVM chain_id + Solana flag, server-only RPC endpoints); "
                "treasury wallets per chain and asset; fee rules v1 (bonding swap 1.5% split "
                "50/50, blue check $10 split 70/30, token creation fee 100% treasury, SBT claim "
                "fee $10, presale/fairlaunch success fee split); at least 2 super_admins. Fee "
                "rules readable by the services; treasury addresses valid for their chain; an "
                "audit entry for every change.",
                True,
            ),
            (
                "Kill switches ready: a toggle takes effect in under 1 minute",
                "Contribute, claims, finalize, round approvals, submissions, feed posting, AMA "
                "join tokens. A toggle blocks new actions only and never changes history.",
                False,
            ),
            (
                "Monitoring and alerting live; a test alert ping arrived",
                "Alerts: no trending snapshot > 20 min, tx pending > 15 min, payout failure "
                "spike, 5xx spike, indexer lag over threshold.",
                True,
            ),
            (
                "T-1 d: freeze modes confirmed; partners reminded of the schedule",
                "",
                False,
            ),
            (
                "T-1 d: partner webhooks checked; the replay button is enabled",
                "",
                False,
            ),
            (
                "T-1 d: 'launch tomorrow' banner shown to pilot partners only",
                "The bot banner goes to pilot partners only.",
                False,
                False,
            ),
            (
                "T-2 h: war room open; on-call roles confirmed",
                "The #launch-warroom channel is open (T-1 → T+2); primary and backup on call.",
                False,
            ),
            (
                "T-2 h: payout-engine queues at 0; RPC health OK",
                "",
                True,
            ),
            (
                "T-2 h: 'start in 2 hours' notice sent to partners",
                "",
                False,
            ),
            (
                "T-30 min: canary volume routes enabled (10 → 30%)",
                "",
                False,
            ),
            (
                "T-30 min: p95 pass-through and webhook metrics checked over the 30-minute window",
                "Targets: p95 pass-through ≤ 15 min; webhooks ≥ 99% per 15-minute window.",
                True,
            ),
        ],
    },
    {
        "slug": "prod-smoke-test",
        "name": "Production smoke test",
        "kind": "verification",
        "source": "Go-live runbook §11.5",
        "description": (
            "A quick validation after a production deploy, without large funds. The run's "
            "report is the smoke test report (timestamp + results). Acceptance: every important "
            "step PASS and no stuck background job."
        ),
        "items": [
            ("User login and wallet link", "Log in as a test user and link a wallet.", False),
            (
                "Blue check purchase with a small amount",
                "Use a small amount, or the test environment if there is one. On mainnet use "
                "dry-run mode or at least intent-only. Record the transaction hash or intent id.",
                True,
            ),
            (
                "Post to the feed",
                "Must succeed when the blue check is active.",
                False,
            ),
            (
                "Admin login with MFA; role checks (RBAC) hold",
                "Log in to the admin with MFA; an action outside your role is refused.",
                False,
            ),
            (
                "Dummy internal project: create → submit → approve",
                "An internal dummy project only; no launch with large funds.",
                False,
            ),
            ("Trending endpoint responds (even if empty)", "", False),
            ("Tx manager and indexer status OK", "", True),
            (
                "No stuck background jobs",
                "Workers (trending, reconcile, fee sweep) have no stuck or failing jobs.",
                False,
            ),
        ],
    },
    {
        "slug": "financial-safety-verification",
        "name": "Financial safety verification",
        "kind": "verification",
        "source": "Go-live runbook §11.8",
        "description": (
            "After a deploy that touches the fund modules: every fund gate is really enforced. "
            "Acceptance: all checks PASS in production (dry-run or a small test case)."
        ),
        "items": [
            (
                "Finalize requires an Idempotency-Key",
                "A finalize call without the Idempotency-Key header is refused; a retry with the "
                "same key does not finalize twice.",
                True,
            ),
            (
                "Liquidity lock cannot be executed for less than 12 months",
                "Try a lock shorter than 12 months (dry-run or a small test case): refused.",
                True,
            ),
            (
                "Referral claim requires the patch eligibility rules",
                "Blue check and active_referral_count ≥ 1; a claim without them is refused.",
                True,
            ),
            (
                "Payouts always go to the primary wallet",
                "A payout to any other wallet of the customer is impossible.",
                True,
            ),
            (
                "An OVERRIDDEN_PASS scan requires two people",
                "The two-man rule holds: one person alone cannot record OVERRIDDEN_PASS.",
                True,
            ),
        ],
    },
    {
        "slug": "go-no-go",
        "name": "Go / no-go decision",
        "kind": "launch",
        "source": (
            "Production launch checklist (Go/No-Go decision); launch plan §0, §2, §3, §10; "
            "go-live runbook §11.6"
        ),
        "description": (
            "Decide whether to go live. GO only when every required item passed; any failed "
            "item is a NO-GO."
        ),
        "items": [
            ("Error rate below 1% for 15 minutes", "", True),
            ("P99 latency below 500 ms", "", True),
            ("No P0 alerts firing", "", False),
            ("All circuit breakers CLOSED", "", False),
            ("Database connection pool utilisation below 50%", "", False),
            (
                "P0 test cases of the test plan passed on prod-canary",
                "Entry criterion: test plan v1, every P0 case green.",
                True,
            ),
            (
                "Monitoring and alerts, runbooks, incident response plan, backup/restore active",
                "",
                False,
            ),
            (
                "Wallet SOP: canary wallets, gas/energy buffers, canary payouts of 1 USDT green",
                "Canary payouts of 1 USDT in both networks (ERC-20 and TRC-20) succeeded; "
                "min_hot_balance at or above its thresholds.",
                True,
            ),
            (
                "Terms, privacy and MOU draft agreed; partner escalation contacts confirmed",
                "",
                False,
            ),
            (
                "Launch roles assigned and channels open",
                "Launch IC, Comms lead, Treasury lead, DevOps lead, Risk/Arbiter lead, QA lead; "
                "channels #launch-prep and #launch-warroom.",
                False,
            ),
            (
                "Launch SLOs within target",
                "p95 pass-through ≤ 15 min; p95 EOD ≤ 60 min; webhooks ≥ 99% per 15-minute window.",
                True,
            ),
            (
                "No rollback criterion is met",
                "Rollback when: p95 pass-through > 30 min for 2 windows in a row and the queue "
                "grows; trust.eod_unsettled_sessions > 0 90 min after cut-off without "
                "improvement; webhook success < 98% over a 15-minute window and the dead-letter "
                "queue grows; a SEV1 incident (compromise, database, total RPC degradation).",
                False,
            ),
            (
                "No large-fund action opens before monitoring has proven stable",
                "Staged rollout: soft launch (whitelist) before public launch; fundraising may be "
                "held for the first 12–24 hours.",
                False,
            ),
        ],
    },
    {
        "slug": "release",
        "name": "Release checklist",
        "kind": "release",
        "source": (
            "Post-launch ops runbook §12.8; go-live runbook §11.1; production launch checklist "
            "(rollback plan)"
        ),
        "description": (
            "Every production release, regular (1–2 times a week) or hotfix (S1/S2 at any time, "
            "with approval). No silent breaking changes in production."
        ),
        "items": [
            (
                "Release approved",
                "Regular release: within the 1–2 a week cadence. Hotfix for S1/S2: any time, "
                "with approval; link the approval.",
                True,
            ),
            (
                "Version tagged; change log written",
                "No silent breaking changes; a public change log is optional.",
                False,
            ),
            (
                "Migrations tested on staging; none pending after the deploy",
                "",
                False,
            ),
            (
                "Rollback plan ready",
                "Previous deployment can be restored at once; database point-in-time recovery "
                "available; the maintenance page can be switched on in under 30 seconds.",
                False,
            ),
            (
                "Deployed; all service health checks OK",
                "",
                True,
            ),
            (
                "Post-release smoke test passed",
                "Run the production smoke test checklist and link its run.",
                True,
            ),
            (
                "Metrics watched for the first 60 minutes",
                "Error rate, p95 latency, pending transactions and payout failures; no alert "
                "firing.",
                True,
            ),
            (
                "Financial safety verification run (when fund modules changed)",
                "Only when the release touches the fund modules.",
                False,
                False,
            ),
        ],
    },
]


def seed(apps, schema_editor):
    Template = apps.get_model("warroom", "ChecklistTemplate")
    Item = apps.get_model("warroom", "ChecklistTemplateItem")
    for spec in TEMPLATES:
        template, created = Template.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "description": spec["description"],
                "kind": spec["kind"],
                "source": spec["source"],
            },
        )
        if not created:
            continue
        Item.objects.bulk_create(
            Item(
                template=template,
                position=position,
                title=item[0],
                help_text=item[1],
                evidence_required=item[2] if len(item) > 2 else False,
                required=item[3] if len(item) > 3 else True,
            )
            for position, item in enumerate(spec["items"], start=1)
        )


def unseed(apps, schema_editor):
    Template = apps.get_model("warroom", "ChecklistTemplate")
    Template.objects.filter(
        slug__in=[spec["slug"] for spec in TEMPLATES], runs__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("warroom", "0003_checklists")]

    operations = [migrations.RunPython(seed, unseed)]
