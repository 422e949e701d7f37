"""The portal's URLs plus the bench-only ones (waffle's, one waffle flag check, and the
support search benchmark's Django admin peer)."""

from django.urls import include, path

from bench.support_admin import site as support_admin_site
from bench.views import WaffleFlagCheckView
from opsportal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from opsportal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    *portal_urlpatterns,
    path("bench/waffle/", include("waffle.urls")),
    path("bench/waffle-flag/<str:name>", WaffleFlagCheckView.as_view(), name="bench-waffle-flag"),
    path("bench/support-admin/", support_admin_site.urls),
]
