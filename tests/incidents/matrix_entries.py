"""Role-matrix entries of the incidents app: each part keeps its own list."""

ENTRIES: list = []

from tests.incidents.matrix_mitigation import ENTRIES as _mitigation  # noqa: E402

ENTRIES += _mitigation
