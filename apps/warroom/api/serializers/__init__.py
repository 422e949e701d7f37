"""War-room API serializers: checklists and launch plans."""
