"""Role-matrix entries of the incidents app: each part keeps its own list."""

ENTRIES: list = []

from tests.incidents.matrix_evidence import ENTRIES as _evidence  # noqa: E402

ENTRIES += _evidence
