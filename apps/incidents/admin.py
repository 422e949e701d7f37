"""Back office for incidents: each part's admin module is imported here."""

from apps.incidents import (  # noqa: F401
    admin_alerts,
    admin_comms,
    admin_core,
    admin_evidence,
    admin_postmortems,
)
