"""On-call portal pages."""
