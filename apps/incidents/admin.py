"""Back office of the incidents app: each part keeps its admin in admin_<part>.py."""

from apps.incidents import admin_comms  # noqa: F401
