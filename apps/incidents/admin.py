"""Back office for incidents: each part's admin module is imported here."""

from apps.incidents import admin_core, admin_evidence  # noqa: F401
