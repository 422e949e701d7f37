"""Every write of the support app (see each module's doc)."""
