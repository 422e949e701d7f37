"""URL map: portal pages, the /v1/ API, the OTP-gated admin, health and metrics."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from apps.core import views as core_views
from apps.core.api.schema import DocsView, SchemaView
from apps.core.rules import PUBLIC, page_rule
from apps.oncall import urls as oncall_urls
from apps.warroom import urls as warroom_urls

api_patterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.audit.api.urls")),
    path("", include("apps.notify.api.urls")),
    path("", include("apps.approvals.api.urls")),
    path("", include("apps.seedconfig.api.urls")),
    path("", include("apps.oncall.api.urls")),
    path("", include("apps.warroom.api.urls")),
    path("", include("apps.flags.api.urls")),
    path("", include("apps.incidents.api.urls")),
    path("", include("apps.support.api.urls")),
]

# The back office of on call lived under /admin/warroom/ before on call became its own app;
# old bookmarks land on the same page under /admin/oncall/.
_MOVED_ADMIN = (
    "team|membership|schedule|rotationlayer|layerversion|layerparticipant|override|"
    "escalationpolicy|escalationstep|page|pagesteprun|pageevent|calendarfeed|feedemittedshift"
)

urlpatterns = [
    path("", include("apps.core.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("service-accounts/", include("apps.accounts.urls_tokens")),
    path("audit/", include("apps.audit.urls")),
    path("notify/", include("apps.notify.urls")),
    path("approvals/", include("apps.approvals.urls")),
    path("config/", include("apps.seedconfig.urls")),
    # On-call and the war room share the /warroom/ prefix and the "warroom" namespace.
    path("warroom/", include((oncall_urls.urlpatterns + warroom_urls.urlpatterns, "warroom"))),
    path("flags/", include("apps.flags.urls")),
    path("incidents/", include("apps.incidents.urls")),
    path("support/", include("apps.support.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    re_path(
        rf"^admin/warroom/(?P<model>{_MOVED_ADMIN})/(?P<rest>.*)$",
        # A redirect only: the admin it leads to asks for a verified staff session.
        page_rule(PUBLIC)(
            RedirectView.as_view(url="/admin/oncall/%(model)s/%(rest)s", query_string=True)
        ),
    ),
    path("admin/", admin.site.urls),
    path("v1/", include((api_patterns, "api"))),
]

handler404 = core_views.not_found
handler500 = core_views.server_error
handler403 = core_views.forbidden
handler400 = core_views.bad_request
