"""Open incidents on the platform actions a customer uses.

The incidents app is not part of the portal yet; until it is wired in here, there are no
incidents to show and the customer page says so ("No open incidents on …"). The seam keeps
the page and its query count as they will be.
"""

from __future__ import annotations


def open_incidents_for_actions(*, user, actions) -> list:
    """Open incidents whose affected actions include any of ``actions`` (none yet)."""
    return []
