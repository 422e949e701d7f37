"""The support entry of the portal's navigation (imported from SupportConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from apps.core import navigation

navigation.register(
    navigation.NavItem(
        key="support",
        label=_("Support"),
        url_name="support:search",
        permission="support.view_customer",
        order=36,
    )
)
