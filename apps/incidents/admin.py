"""Back office for incidents: each part's admin module is imported here."""

from apps.incidents import (
    admin_comms,  # noqa: F401, E402
    admin_core,  # noqa: F401
)
