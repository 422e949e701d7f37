"""War-room pages under /warroom/: forms of checklists and the launch plan."""
