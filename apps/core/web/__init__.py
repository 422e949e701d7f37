"""Helpers shared by the portal's pages (not the API): form rendering, one-time forms."""
