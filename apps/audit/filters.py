"""Filters of the audit trail, shared by the portal page and the API.

Every kind of record takes the same parameters:

* ``actor``: the acting person's username (exact, case-insensitive);
* ``object_type``: ``app_label.model`` of the changed object, event target or accessed
  subject (e.g. ``accounts.user``);
* ``object_id``: its primary key;
* ``action``: for change records ``create``, ``update``, ``delete`` or ``access``; for
  events the event name or its beginning (``account.`` finds every account event); for
  access records the kind of access (``view``, ``reveal``, ``export``);
* ``since`` / ``until``: a time range, inclusive. ISO 8601; without an offset the time
  is read in the viewer's time zone.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from apps.audit.labels import labels_for
from apps.audit.models import AccessLogEntry, AuditEvent, LogEntry

OBJECT_TYPE_VALIDATOR = RegexValidator(
    r"^[a-z0-9_]+\.[a-z0-9_]+$",
    _("Write the type as app_label.model, e.g. accounts.user."),
)
CHANGE_ACTIONS = {
    "create": LogEntry.Action.CREATE,
    "update": LogEntry.Action.UPDATE,
    "delete": LogEntry.Action.DELETE,
    "access": LogEntry.Action.ACCESS,
}


class _TimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format="%Y-%m-%dT%H:%M")


class TrailFilterSet(django_filters.FilterSet):
    """The common filters; subclasses map them onto their columns."""

    actor = django_filters.CharFilter(
        label=_("Actor"), method="filter_actor", help_text=_("Username.")
    )
    object_type = django_filters.CharFilter(
        label=_("Object type"),
        method="filter_object_type",
        validators=[OBJECT_TYPE_VALIDATOR],
        help_text=_("app_label.model, e.g. accounts.user."),
    )
    object_id = django_filters.CharFilter(label=_("Object id"), method="filter_object_id")
    action = django_filters.CharFilter(label=_("Action"), method="filter_action")
    since = django_filters.DateTimeFilter(
        label=_("From"), field_name="timestamp", lookup_expr="gte", widget=_TimeInput()
    )
    until = django_filters.DateTimeFilter(
        label=_("To"), field_name="timestamp", lookup_expr="lte", widget=_TimeInput()
    )

    type_field = ""
    id_field = ""

    def filter_actor(self, queryset, name, value):
        return queryset.filter(actor__username__iexact=value.strip())

    def filter_object_type(self, queryset, name, value):
        # Rows written before a model moved apps keep their old label (apps.audit.labels).
        return queryset.filter(**{f"{self.type_field}__in": labels_for(value)})

    def filter_object_id(self, queryset, name, value):
        return queryset.filter(**{self.id_field: value.strip()})

    def filter_action(self, queryset, name, value):
        raise NotImplementedError


class ChangeFilterSet(TrailFilterSet):
    action = django_filters.ChoiceFilter(
        label=_("Action"),
        method="filter_action",
        choices=[
            ("create", _("create")),
            ("update", _("update")),
            ("delete", _("delete")),
            ("access", _("access")),
        ],
    )
    id_field = "object_pk"

    class Meta:
        model = LogEntry
        fields: list[str] = []

    def filter_object_type(self, queryset, name, value):
        app_label, _dot, model = value.strip().lower().partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)

    def filter_action(self, queryset, name, value):
        return queryset.filter(action=CHANGE_ACTIONS[value])


class EventFilterSet(TrailFilterSet):
    type_field = "target_type"
    id_field = "target_id"

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def filter_action(self, queryset, name, value):
        return queryset.filter(name__startswith=value.strip())


class AccessFilterSet(TrailFilterSet):
    type_field = "subject_type"
    id_field = "subject_id"

    class Meta:
        model = AccessLogEntry
        fields: list[str] = []

    def filter_action(self, queryset, name, value):
        return queryset.filter(what=value.strip())


FILTERSETS: dict[str, type[TrailFilterSet]] = {
    "changes": ChangeFilterSet,
    "events": EventFilterSet,
    "access": AccessFilterSet,
}
