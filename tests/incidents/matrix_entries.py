"""Role-matrix entries of the incidents app: each part keeps its own list."""

from tests.incidents.matrix_alerts import ENTRIES as _alerts
from tests.incidents.matrix_comms import ENTRIES as _comms
from tests.incidents.matrix_core import ENTRIES as _core
from tests.incidents.matrix_evidence import ENTRIES as _evidence
from tests.incidents.matrix_mitigation import ENTRIES as _mitigation
from tests.incidents.matrix_postmortem import ENTRIES as _postmortem

ENTRIES: list = [*_core, *_mitigation, *_comms, *_postmortem, *_evidence, *_alerts]
