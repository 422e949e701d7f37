"""Role-matrix entries of the incidents app: each part keeps its own list."""

from tests.incidents.matrix_postmortem import ENTRIES as _postmortem

ENTRIES: list = []
ENTRIES += _postmortem
