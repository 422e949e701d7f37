"""The severity levels migration 0001 seeds (frozen: later edits happen in the portal)."""

# The runbook's levels (see seeds 001 §12.3): S1/S2 need a post-mortem within 48 hours.
DEFAULT_SEVERITIES = [
    ("S1", "Critical", "Funds at risk, a wrong payout or an exploit.", 1, True, 48, 30),
    ("S2", "Major", "A main feature is down.", 2, True, 48, 60),
    ("S3", "Minor", "A minor problem; a workaround exists.", 3, False, 48, 240),
]
