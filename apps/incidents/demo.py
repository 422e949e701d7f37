"""Demo data of the incidents app: each part registers its own steps (imported here)."""

from apps.incidents import (  # noqa: F401
    demo_alerts,  # noqa: E402,F401
    demo_comms,
    demo_core,
    demo_evidence,
    demo_mitigation,
    demo_postmortem,
)
