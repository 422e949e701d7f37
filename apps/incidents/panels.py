"""The sections of the incident page, contributed by the parts of this app.

Each panel names its template and a function ``context(request, incident) -> dict`` given
as a dotted path (imported when the page renders). A panel's function must run a constant
number of queries whatever the incident holds; the incident page's query budget is pinned
in a test. Order is the order on the page.

The incident page renders each panel's template with the keys of the dict its function
returns, plus ``incident``, ``may_run`` (the person may run this incident and it is not
closed or merged) and ``final`` (closed or merged); ``request``, ``user`` and
``csrf_token`` come from the request as on any page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context_path: str

    @cached_property
    def context(self):
        return import_string(self.context_path)


PANELS: list[Panel] = [
    Panel("switches", "incidents/panels/mitigation.html", "apps.incidents.views.mitigation.panel"),
    Panel("comms", "incidents/panels/comms.html", "apps.incidents.views.comms.panel"),
    Panel(
        "postmortem", "incidents/panels/postmortem.html", "apps.incidents.views.postmortems.panel"
    ),
    Panel("evidence", "incidents/panels/evidence.html", "apps.incidents.views.evidence.panel"),
    Panel("alerts", "incidents/panels/alerts.html", "apps.incidents.views.alerts.panel"),
]
