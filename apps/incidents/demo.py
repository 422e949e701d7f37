"""Demo data of the incidents app: each part registers its own steps (imported here)."""

from apps.incidents import (
    demo_core,  # noqa: F401
    demo_mitigation,  # noqa: F401
)
from apps.incidents import demo_comms  # noqa: E402, F401
