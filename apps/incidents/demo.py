"""Demo data of the incidents app: each part registers its own steps (imported here)."""

from apps.incidents import (
    demo_core,  # noqa: F401
    demo_postmortem,  # noqa: F401, E402
)
