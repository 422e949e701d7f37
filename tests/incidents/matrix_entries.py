"""Role-matrix entries of the incidents app: each part keeps its own list."""

from tests.incidents.matrix_core import ENTRIES as _core
from tests.incidents.matrix_postmortem import ENTRIES as _postmortem

ENTRIES: list = []
ENTRIES += _core

from tests.incidents.matrix_mitigation import ENTRIES as _mitigation  # noqa: E402

ENTRIES += _mitigation
from tests.incidents.matrix_comms import ENTRIES as _comms  # noqa: E402

ENTRIES += _comms
ENTRIES += _postmortem
