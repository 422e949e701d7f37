"""Role-matrix entries of the incidents app: each part keeps its own list."""

ENTRIES: list = []

from tests.incidents.matrix_alerts import ENTRIES as _alerts  # noqa: E402

ENTRIES += _alerts
