"""The flags entry of the portal's navigation (imported from FlagsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from apps.core import navigation

navigation.register(
    navigation.NavItem(
        key="flags",
        label=_("Flags"),
        url_name="flags:panel",
        permission="flags.view_flag",
        order=35,
    )
)
