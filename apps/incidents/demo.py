"""Demo data of the incidents app: each part registers its own steps (imported here)."""

from apps.incidents import demo_core, demo_evidence  # noqa: F401
