"""War-room reads, restricted to what the caller may see: checklists and launch plans."""
