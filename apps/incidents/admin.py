"""Back office of the incidents app: each part registers its admin in its own module."""

from apps.incidents import admin_evidence  # noqa: F401
