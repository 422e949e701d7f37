"""The incidents entry of the portal's navigation (imported from IncidentsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from apps.core import navigation

navigation.register(
    navigation.NavItem(
        key="incidents",
        label=_("Incidents"),
        url_name="incidents:list",
        permission="incidents.view_incident",
        order=34,
    )
)
