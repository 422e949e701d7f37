from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = _("Core")

    def __init__(self, app_name, app_module):
        super().__init__(app_name, app_module)
        from apps.core.bounds import install_date_bounds

        # Here, not in ready(): a form field takes its default validators when it is made,
        # and the admin makes its forms' fields in its own ready(), which runs first.
        install_date_bounds()

    def ready(self) -> None:
        from apps.core import celery_context  # noqa: F401  (connects the task signals)
