"""Role-matrix entries of the incidents app: each part keeps its own list."""

from tests.incidents.matrix_core import ENTRIES as _core
from tests.incidents.matrix_postmortem import ENTRIES as _postmortem

ENTRIES: list = []
ENTRIES += _core
ENTRIES += _postmortem
