"""Back office for incidents: each part's admin module is imported here."""

from apps.incidents import (
    admin_core,  # noqa: F401
    admin_postmortems,  # noqa: F401, E402
)
