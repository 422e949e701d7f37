from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from apps.core import celery_context  # noqa: F401  (connects the task signals)
        from apps.core.bounds import install_date_bounds

        install_date_bounds()
