"""Role-matrix entries of the incidents app: each part keeps its own list."""

ENTRIES: list = []
