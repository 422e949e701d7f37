import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsportal.settings")

django_application = get_wsgi_application()

# GET /v1/flags/{key}/evaluate with a Bearer token skips the middleware stack
# (FLAGS_FAST_PATH); everything else reaches Django unchanged.
from apps.flags.fastpath import FlagsEvaluateFastPath  # noqa: E402

application = FlagsEvaluateFastPath(django_application)
