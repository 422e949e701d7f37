"""War-room portal pages."""
