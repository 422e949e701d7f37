"""Audit endpoints under /v1/ (namespace "api")."""

from rest_framework.routers import SimpleRouter

from apps.audit.api import views

router = SimpleRouter()
router.register("audit/changes", views.ChangeRecordViewSet, basename="audit_changes")
router.register("audit/events", views.AuditEventViewSet, basename="audit_events")
router.register("audit/access", views.AccessRecordViewSet, basename="audit_access")

urlpatterns = router.urls
