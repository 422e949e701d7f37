"""Back office of the war room: checklists and launch plans (read-only)."""

from apps.warroom.admin import checklists, launch

__all__ = ["checklists", "launch"]
