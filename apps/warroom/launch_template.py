"""The runbooks' standard launch plan, translated to plain English with their thresholds.

Sources (``/seeds`` of the project):
- the pilot → go-live launch plan (v1): §1 phases and windows, §4 onboarding, §5
  environments, §6 freeze plan, §8 cutover checklists T-7 d … T+7 d, §10 rollback criteria;
- the production launch checklist: pre-launch readiness, launch-day smoke tests, the
  go/no-go thresholds, post-launch day 1 and week 1, the rollback plan;
- the production launch guide: automatic rollback thresholds, canary 10 → 25 → 50 → 100 %;
- Phase 12 §12.1–12.2 (war room for the first 7 days, daily checks) and Phase 11 §11.8
  (post-deploy verification of the fund modules).

``launch_plan_create(..., from_template=True)`` copies these into a new plan. Task owners
are given as team slugs (the seeded teams); a team that does not exist is left out.
The texts are stored in the language of the person who creates the plan.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from apps.warroom.launch_time import DAY, HOUR, MINUTE

D, H, M = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)

# (kind, start offset, end offset, goal) — the plan's §1 table. The runbook writes the
# canary window as "T-7…T-1" in days; the last day runs up to T0.
PHASES = [
    (
        "preflight",
        -21 * D,
        -14 * D,
        _(
            "Environments, data, wallets, canary wallets, alerts, backups and the UAT "
            "calendar are ready."
        ),
    ),
    (
        "pilot",
        -14 * D,
        -7 * D,
        _(
            # xgettext:no-python-format
            "2–4 partners, volume at most 10% of the daily target, both networks, "
            "end-of-day (EOD) settlement every day."
        ),
    ),
    (
        "canary",
        -7 * D,
        0 * D,
        _(
            # xgettext:no-python-format
            "Volume widened to 25–30% of the daily target, partial/T+1 settlement switched "
            "on, SLO reports."
        ),
    ),
    (
        "full_go_live",
        0 * D,
        7 * D,
        # xgettext:no-python-format
        _("100% of volume, stability, post-launch monitoring and improvements."),
    ),
]

# The offsets of the runbook's cutover checklist (§8), in order.
STANDARD_OFFSETS = [
    (-7 * D, DAY),
    (-3 * D, DAY),
    (-1 * D, DAY),
    (-2 * H, HOUR),
    (-30 * M, MINUTE),
    (0 * D, ""),
    (1 * H, HOUR),
    (24 * H, HOUR),
    (7 * D, DAY),
]

# (phase, offset, unit, team slug, title, description)
TASKS = [
    # --- pre-flight (T-21 d): §1, §3, §5, §14 ---------------------------------------------
    (
        "preflight",
        -21 * D,
        DAY,
        "backend",
        _("Prepare the launch environments and data"),
        _(
            "Staging: a full copy of the configuration with a fake RPC, for load tests and "
            "webhook replays. Prod-canary: limited access, canary wallets, end-of-day "
            "settlement in working mode. Seed 4 companies (S/M/L/XL), 2 trust pairs, "
            "deposits and the address allow-list."
        ),
    ),
    (
        "preflight",
        -21 * D,
        DAY,
        "ops",
        _("Canary wallets, monitoring, runbooks and backups in place"),
        _(
            "Canary wallets and check addresses exist for every network; monitoring and "
            "alerts, runbooks, the incident response plan and backup/restore are active; "
            "1 USDT canary payouts are green; the kill switches work in the admin console."
        ),
    ),
    # --- pilot (T-14 d): §1, §4, §7 ------------------------------------------------------
    (
        "pilot",
        -14 * D,
        DAY,
        "support",
        _("Onboard the pilot partners"),
        _(
            "Choose 2–4 companies (at least one tier S and one tier M, an L if possible). "
            "Verify their wallets and accounts, switch on 2FA, assign the Admin, Trader and "
            "Approver roles. Set up 1–2 trust pairs between pilots and agree their cut-off "
            "time and time zone. Make small test deals on both networks and check the "
            "webhooks and integrations."
        ),
    ),
    (
        "pilot",
        -14 * D,
        DAY,
        "ops",
        # xgettext:no-python-format
        _("Start the pilot at most 10% of the daily target volume"),
        _(
            "Both networks, end-of-day settlement every day. Per-transaction caps stay "
            "standard (ERC-20 250k, TRC-20 200k); larger amounts are batched."
        ),
    ),
    # --- canary: T-7 d ---------------------------------------------------------------------
    (
        "canary",
        -7 * D,
        DAY,
        "ops",
        _("Preliminary go/no-go: dashboards and alerts are green"),
        "",
    ),
    (
        "canary",
        -7 * D,
        DAY,
        "backend",
        _("Compressed disaster-recovery drill"),
        _("Restore the database to T-60 min with point-in-time recovery (PITR)."),
    ),
    (
        "canary",
        -7 * D,
        DAY,
        "finance",
        _("Top up gas/TRX reserves"),
        _("Every hot wallet's balance is at or above its min_hot_balance threshold."),
    ),
    (
        "canary",
        -7 * D,
        DAY,
        "backend",
        _("Code freeze starts (until T+2 d)"),
        _("Only hotfixes, by the procedure; changes only through the launch war room."),
    ),
    (
        "canary",
        -7 * D,
        DAY,
        "backend",
        _("Production readiness checks"),
        _(
            "All environment variables set (no placeholders) and the configuration "
            "validated at start-up; rate limits checked for production load; CORS limited "
            "to the production domains; the health endpoint does not expose environment "
            "details. All migrations applied, connection pool sized (max 20), backups "
            "scheduled. Dashboards imported, alert rules deployed, P0 alerts paged, P1/P2 "
            "to the alerts channel, error tracking on."
        ),
    ),
    # --- canary: T-3 d ---------------------------------------------------------------------
    (
        "canary",
        -3 * D,
        DAY,
        "finance",
        _("Confirm the cut-off time and time zone of every trust pair"),
        "",
    ),
    (
        "canary",
        -3 * D,
        DAY,
        "backend",
        _("Dry-run trust.session.close() and eod_settlement on prod-canary"),
        "",
    ),
    (
        "canary",
        -3 * D,
        DAY,
        "finance",
        _("Repeat the 1 USDT canary payouts on both networks"),
        "",
    ),
    (
        "canary",
        -3 * D,
        DAY,
        "ops",
        _("Config freeze starts (until T+1 d)"),
        _("Exceptions (per-transaction cap, fee mode) only by decision of the launch IC."),
    ),
    # --- canary: T-1 d ---------------------------------------------------------------------
    (
        "canary",
        -1 * D,
        DAY,
        "ops",
        _("Confirm the freeze modes are on; remind partners of the schedule"),
        "",
    ),
    (
        "canary",
        -1 * D,
        DAY,
        "support",
        _("Check the partners' webhooks; the replay button is switched on"),
        "",
    ),
    (
        "canary",
        -1 * D,
        DAY,
        "support",
        _("Post the 'launch tomorrow' banner in the partner bot (pilot partners only)"),
        "",
    ),
    # --- canary: T-2 h ---------------------------------------------------------------------
    (
        "canary",
        -2 * H,
        HOUR,
        "ops",
        _("Open the war room; confirm the on-call roles"),
        _(
            "War-room channel for ops, tech, security and product; primary and backup on "
            "call for backend, ops and finance (Phase 12 §12.1)."
        ),
    ),
    (
        "canary",
        -2 * H,
        HOUR,
        "backend",
        _("Payout-engine queues at 0 and RPC health OK"),
        "",
    ),
    (
        "canary",
        -2 * H,
        HOUR,
        "support",
        _("Tell the partners: start in 2 hours"),
        "",
    ),
    # --- canary: T-30 min ------------------------------------------------------------------
    (
        "canary",
        -30 * M,
        MINUTE,
        "ops",
        _("Switch on the canary volume routes (10% → 30%)"),
        "",
    ),
    (
        "canary",
        -30 * M,
        MINUTE,
        "ops",
        _("Check p95 pass-through and webhook metrics over a 30-minute window"),
        _("Launch SLOs: p95 pass-through ≤ 15 min, webhooks ≥ 99% per 15-minute window."),
    ),
    # --- full go-live: T0 ------------------------------------------------------------------
    (
        "full_go_live",
        0 * D,
        "",
        "backend",
        _("Production smoke tests pass"),
        _(
            "The k6 smoke test meets all its thresholds; /health reports healthy; "
            "/health/readiness answers 200 with database latency under 100 ms; all circuit "
            "breakers are closed; a test payment webhook is received and processed. Then "
            "the fund modules (Phase 11 §11.8): finalize needs an Idempotency-Key, a "
            "liquidity lock cannot be shorter than 12 months, a referral claim needs "
            "eligibility, payouts go only to the primary wallet."
        ),
    ),
    (
        "full_go_live",
        0 * D,
        "",
        "ops",
        _("Go/no-go decision"),
        _(
            "GO only if: error rate below 1% for 15 minutes; p99 latency below 500 ms; no P0 "
            "alert firing; all circuit breakers closed; database connection pool use below "
            "50%. Record the decision in the war-room log."
        ),
    ),
    (
        "full_go_live",
        0 * D,
        "",
        "ops",
        _("Start the pilot/canary by the volume plan"),
        "",
    ),
    (
        "full_go_live",
        0 * D,
        "",
        "backend",
        _("Watch stuck transactions"),
        _("If they grow, apply the speed-up / fee-mode policies."),
    ),
    (
        "full_go_live",
        0 * D,
        "",
        "finance",
        _("At cut-off: check the end-of-day calculations"),
        _("Use partial/T+1 settlement if needed."),
    ),
    # --- full go-live: T+1 h ---------------------------------------------------------------
    (
        "full_go_live",
        1 * H,
        HOUR,
        "ops",
        _("War-room report: SLO status, queues, webhooks, incidents"),
        _("Watch the metrics for the first 60 minutes after the release (Phase 12 §12.8)."),
    ),
    (
        "full_go_live",
        1 * H,
        HOUR,
        "finance",
        _("Confirm the canary payouts and the first window's end-of-day settlement"),
        "",
    ),
    # --- full go-live: T+24 h --------------------------------------------------------------
    (
        "full_go_live",
        24 * H,
        HOUR,
        "ops",
        _("Daily report: SLOs, volumes, partial/T+1 share, bug list"),
        _(
            "Daily 15-minute check-in: tx and indexer status, payout failures, spam reports, "
            "bug backlog (Phase 12 §12.1)."
        ),
    ),
    (
        "full_go_live",
        24 * H,
        HOUR,
        "ops",
        _("Decide whether to raise the volume to 100% (if still canary)"),
        "",
    ),
    (
        "full_go_live",
        24 * H,
        HOUR,
        "backend",
        _("Day-1 review: error rate, ledger drift, new error patterns"),
        _(
            "Error rate watched continuously; no drift between ledger and payouts; new "
            "error patterns in error tracking reviewed."
        ),
    ),
    # --- full go-live: T+7 d ---------------------------------------------------------------
    (
        "full_go_live",
        7 * D,
        DAY,
        "ops",
        _("Launch post-mortem, even without incidents"),
        _("What to improve, what to automate; follow-up tasks with owners."),
    ),
    (
        "full_go_live",
        7 * D,
        DAY,
        "ops",
        _("Lift the freeze plan; move to business as usual"),
        "",
    ),
    (
        "full_go_live",
        7 * D,
        DAY,
        "backend",
        _("Week-1 review"),
        _(
            "Stress test against production off-peak; p99 latency trend; a backup restored "
            "to a test environment; rate-limit hits reviewed for abuse."
        ),
    ),
]

_PROCEDURE = _(
    "Declare the rollback in the war room, switch on safe-mode (end-of-day settlement off, "
    "payouts frozen for the network), lower the volume to the previous level, tell the "
    "partners; then root-cause analysis, fixes and a new attempt."
)

# (condition, threshold / metric, action, who decides) — plan §10, launch guide.
ROLLBACK_CRITERIA = [
    (
        _("Pass-through is too slow and the queue keeps growing"),
        _("p95 pass-through > 30 min in 2 windows in a row, and the queue grows"),
        _("Partial rollback (the network, wallet or volume concerned). %(procedure)s"),
        _("Launch IC"),
    ),
    (
        _("End-of-day settlement does not close"),
        _("trust.eod_unsettled_sessions > 0 at 90 min after cut-off, with no improvement"),
        _("Partial rollback (the network, wallet or volume concerned). %(procedure)s"),
        _("Launch IC with the treasury lead"),
    ),
    (
        _("Webhooks fail and the dead-letter queue grows"),
        # xgettext:no-python-format
        _("webhook success < 98% over a 15-minute window, and the dead-letter queue grows"),
        _("Partial rollback (the network, wallet or volume concerned). %(procedure)s"),
        _("Launch IC"),
    ),
    (
        _("A SEV1 incident"),
        _("any SEV1: a compromise, a database failure or total RPC degradation"),
        _("Full rollback. %(procedure)s"),
        _("Launch IC"),
    ),
    (
        _("Critical errors after the deployment"),
        # xgettext:no-python-format
        _("error rate > 5% or response time > 5000 ms"),
        _(
            "Roll back to the previous version (instant rollback to the previous "
            "deployment; database point-in-time recovery if data is affected; the payment "
            "webhook endpoint can be disabled; DNS can show a maintenance page in < 30 s)."
        ),
        _("Launch IC with the DevOps lead"),
    ),
]

DESCRIPTION = _(
    "From the runbooks' pilot → go-live plan. Launch SLOs: p95 pass-through ≤ 15 min, "
    "p95 end-of-day settlement ≤ 60 min, webhooks ≥ 99% per 15-minute window. Freeze: code "
    "T-7 d → T+2 d, configuration T-3 d → T+1 d; changes only through the war room "
    "(who / what / when / rollback). War-room channel open T-1 d → T+2 d."
)


def rollback_criteria() -> list[tuple[str, str, str, str]]:
    """The criteria as plain strings in the active language."""
    procedure = str(_PROCEDURE)
    return [
        (str(c), str(t), str(a) % {"procedure": procedure}, str(o))
        for c, t, a, o in ROLLBACK_CRITERIA
    ]
