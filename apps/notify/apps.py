from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "apps.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from apps.core import channel_messages, navigation
        from apps.notify import models, outbound, services

        channel_messages.register_channel_sender(services.channel_message_enqueue)

        # A wrong NOTIFY_ALLOWED_HOSTS entry stops start-up (ImproperlyConfigured), naming it.
        outbound.allow_list()
        # Secrets never reach the audit trail; the services' events say whether one is set.
        auditlog.register(models.Channel, exclude_fields=["secret"])
        auditlog.register(models.ContactMethod, exclude_fields=["secret"])
        navigation.register(
            navigation.NavItem(
                key="notify",
                label=_("Notifications"),
                url_name="notify:channels",
                permission="notify.view_channel",
                order=80,
            )
        )
