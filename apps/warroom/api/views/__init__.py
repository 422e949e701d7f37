"""War-room API views: checklists and launch plans."""
