"""Every write in accounts goes through these services (see STYLE.md)."""
