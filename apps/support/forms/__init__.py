"""Forms of the support pages (one module per concept)."""
