"""Demo data of the incidents app: each part registers its own steps (imported here)."""

from apps.incidents import demo_alerts  # noqa: E402,F401
