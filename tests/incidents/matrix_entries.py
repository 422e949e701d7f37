"""Role-matrix entries of the incidents app: each part keeps its own list."""

from tests.incidents.matrix_core import ENTRIES as _core
from tests.incidents.matrix_evidence import ENTRIES as _evidence

ENTRIES: list = []
ENTRIES += _core
ENTRIES += _evidence
