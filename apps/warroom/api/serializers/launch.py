"""Serializers of the launch-plan API: shapes here, rules in apps.warroom.services.launch."""

from __future__ import annotations

from datetime import UTC

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.input import JsonInput
from apps.core.api.query import yes_no_filter
from apps.oncall.api.serializers import PersonSerializer, person
from apps.oncall.models import Team
from apps.warroom.launch_time import FORMAT_HELP, countdown_parts, format_offset, parse_offset
from apps.warroom.models import (
    ChecklistRun,
    LaunchLogEntry,
    LaunchPhase,
    LaunchPlan,
    LaunchTask,
    RollbackCriterion,
)

User = get_user_model()


class T0Field(serializers.DateTimeField):
    """An ISO 8601 time; one without an offset is read as UTC."""

    def __init__(self, **kwargs):
        kwargs.setdefault("default_timezone", UTC)
        kwargs.setdefault(
            "help_text", _("ISO 8601, e.g. 2027-03-01T09:00:00+01:00; no offset means UTC.")
        )
        super().__init__(**kwargs)


@extend_schema_field(OpenApiTypes.STR)
class OffsetField(serializers.Field):
    """``"T-2 h"`` in, ``Offset`` out (the service gets its ``delta`` and ``unit``)."""

    default_error_messages = {"invalid": FORMAT_HELP}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", FORMAT_HELP)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return parse_offset(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error

    def to_representation(self, value):
        return str(value)


@extend_schema_field(OpenApiTypes.INT)
class TaskOwnerField(serializers.Field):
    """A person by id; a service account or an inactive account is refused clearly."""

    json_types = (int,)

    default_error_messages = {
        "invalid": _("Give a person's id (a number)."),
        "missing": _("No person with id %(id)s."),
        "not_person": _("Choose an active person, not a service account."),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not str(data).isdigit():
            self.fail("invalid")
        user = User.objects.filter(pk=int(data)).first()
        if user is None:
            raise serializers.ValidationError(self.error_messages["missing"] % {"id": data})
        if not user.is_active or getattr(user, "is_service_account", False):
            self.fail("not_person")
        return user

    def to_representation(self, value):
        return value.pk


# --- output --------------------------------------------------------------------------------


class PhaseSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_kind_display")
    start_offset = serializers.SerializerMethodField()
    end_offset = serializers.SerializerMethodField()

    class Meta:
        model = LaunchPhase
        fields = ["kind", "name", "position", "goal", "start_offset", "end_offset"]

    def get_start_offset(self, phase) -> str | None:
        return format_offset(phase.start_offset) if phase.start_offset is not None else None

    def get_end_offset(self, phase) -> str | None:
        return format_offset(phase.end_offset) if phase.end_offset is not None else None


class RollbackCriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RollbackCriterion
        fields = ["id", "position", "condition", "threshold", "action", "decision_owner"]


class LaunchPlanSerializer(serializers.ModelSerializer):
    created_by = PersonSerializer()
    task_count = serializers.SerializerMethodField()
    done_count = serializers.SerializerMethodField()
    overdue_count = serializers.SerializerMethodField()

    class Meta:
        model = LaunchPlan
        fields = [
            "id",
            "name",
            "t0",
            "status",
            "description",
            "created_by",
            "created_at",
            "updated_at",
            "task_count",
            "done_count",
            "overdue_count",
        ]

    def _count(self, plan, name) -> int:
        value = getattr(plan, name, None)
        if value is not None:
            return value
        tasks = list(plan.tasks.all())
        now = timezone.now()
        return {
            "task_count": len(tasks),
            "done_count": sum(1 for t in tasks if t.status in ("done", "skipped")),
            "overdue_count": sum(1 for t in tasks if t.is_open and plan.t0 + t.offset < now),
        }[name]

    def get_task_count(self, plan) -> int:
        return self._count(plan, "task_count")

    def get_done_count(self, plan) -> int:
        return self._count(plan, "done_count")

    def get_overdue_count(self, plan) -> int:
        return self._count(plan, "overdue_count")


class CountdownSerializer(serializers.Serializer):
    label = serializers.CharField(help_text=_("T-2 d 03:14 before T0, T+… after."))
    seconds_to_t0 = serializers.IntegerField(help_text=_("Negative after T0."))
    current_phase = serializers.CharField(allow_null=True)


class LaunchChecklistRunSerializer(serializers.ModelSerializer):
    """A checklist run of the launch, in short (the whole run: /v1/checklists/runs/{id})."""

    template = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    started_by = PersonSerializer()

    class Meta:
        model = ChecklistRun
        fields = [
            "id",
            "template",
            "template_name",
            "environment",
            "status",
            "result",
            "started_by",
            "started_at",
            "completed_at",
        ]


class LaunchPlanDetailSerializer(LaunchPlanSerializer):
    phases = PhaseSerializer(many=True)
    rollback_criteria = RollbackCriterionSerializer(many=True)
    countdown = serializers.SerializerMethodField()
    checklist_runs = LaunchChecklistRunSerializer(many=True, read_only=True)

    class Meta(LaunchPlanSerializer.Meta):
        fields = [
            *LaunchPlanSerializer.Meta.fields,
            "phases",
            "rollback_criteria",
            "countdown",
            "checklist_runs",
        ]

    @extend_schema_field(CountdownSerializer)
    def get_countdown(self, plan) -> dict:
        from apps.warroom.selectors.launch import current_phase

        now = timezone.now()
        parts = countdown_parts(plan.t0, now)
        phase = current_phase(list(plan.phases.all()), plan.t0, now)
        return {
            "label": parts["label"],
            "seconds_to_t0": parts["total_seconds"],
            "current_phase": phase.kind if phase else None,
        }


class LaunchTaskSerializer(serializers.ModelSerializer):
    phase = serializers.CharField(source="phase.kind")
    offset = serializers.CharField(source="offset_label", help_text=FORMAT_HELP)
    offset_seconds = serializers.SerializerMethodField()
    due_at = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    owner_team = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    status_changed_by = serializers.SerializerMethodField()

    class Meta:
        model = LaunchTask
        fields = [
            "id",
            "phase",
            "title",
            "description",
            "offset",
            "offset_seconds",
            "due_at",
            "overdue",
            "owner",
            "owner_team",
            "status",
            "status_changed_by",
            "status_changed_at",
            "note",
        ]

    def _due(self, task):
        return getattr(task, "due", None) or task.due_at

    def get_offset_seconds(self, task) -> int:
        return int(task.offset.total_seconds())

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_due_at(self, task):
        return serializers.DateTimeField().to_representation(self._due(task))

    def get_overdue(self, task) -> bool:
        return task.is_open and self._due(task) < timezone.now()

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_owner(self, task):
        return person(task.owner)

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_status_changed_by(self, task):
        return person(task.status_changed_by)


class LaunchLogEntrySerializer(serializers.ModelSerializer):
    launch = serializers.IntegerField(source="plan_id", allow_null=True)
    task = serializers.IntegerField(source="task_id", allow_null=True)
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)
    author = PersonSerializer()

    class Meta:
        model = LaunchLogEntry
        fields = [
            "id",
            "launch",
            "task",
            "kind",
            "text",
            "author",
            "automatic",
            "corrects",
            "data",
            "created_at",
        ]


# --- input ---------------------------------------------------------------------------------


class LaunchFilterSerializer(serializers.Serializer):
    """Query parameters of the launch list."""

    status = serializers.ChoiceField(choices=LaunchPlan.Status.choices, required=False)


class LaunchTaskFilterSerializer(serializers.Serializer):
    """Query parameters of a launch's task list."""

    status = serializers.ChoiceField(choices=LaunchTask.Status.choices, required=False)
    phase = serializers.ChoiceField(
        choices=LaunchPhase.Kind.choices, required=False, help_text=_("A phase kind.")
    )
    overdue = yes_no_filter(_("Only open tasks past their due time."))


class LaunchLogFilterSerializer(serializers.Serializer):
    """Query parameters of a launch's war-room log."""

    kind = serializers.ChoiceField(choices=LaunchLogEntry.Kind.choices, required=False)


class WarRoomLogFilterSerializer(LaunchLogFilterSerializer):
    """Query parameters of the whole war-room log."""

    launch = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Only the entries of this launch.")
    )


class LaunchPlanCreateSerializer(JsonInput):
    name = serializers.CharField(max_length=150)
    t0 = T0Field()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    from_template = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Copy the runbooks' tasks (T-21 d, T-14 d, T-7 d … T+7 d) and rollback criteria."
        ),
    )


class LaunchPlanUpdateSerializer(JsonInput):
    name = serializers.CharField(max_length=150, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    t0 = T0Field(required=False)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text=_("Why T0 moves; goes into the war-room log."),
    )


class LaunchStatusSerializer(JsonInput):
    status = serializers.ChoiceField(choices=LaunchPlan.Status.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text=_("Needed for rolled_back and cancelled."),
    )


class LaunchTaskCreateSerializer(JsonInput):
    phase = serializers.ChoiceField(choices=LaunchPhase.Kind.choices)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    offset = OffsetField()
    owner = TaskOwnerField(required=False, allow_null=True, default=None)
    owner_team = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Team.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )


class LaunchTaskStatusSerializer(JsonInput):
    status = serializers.ChoiceField(choices=LaunchTask.Status.choices)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text=_("Needed for blocked and skipped; omitted keeps the current note."),
    )


class RollbackCriterionCreateSerializer(JsonInput):
    condition = serializers.CharField(max_length=2000)
    threshold = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    action = serializers.CharField(required=False, allow_blank=True, default="")
    decision_owner = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default=""
    )


class LogAppendSerializer(JsonInput):
    kind = serializers.ChoiceField(
        choices=LaunchLogEntry.Kind.choices, default=LaunchLogEntry.Kind.NOTE
    )
    text = serializers.CharField(max_length=4000)
    corrects = serializers.PrimaryKeyRelatedField(
        queryset=LaunchLogEntry.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The id of the entry this one corrects (same launch)."),
    )
    task = serializers.PrimaryKeyRelatedField(
        queryset=LaunchTask.objects.all(), required=False, allow_null=True, default=None
    )


class GlobalLogAppendSerializer(LogAppendSerializer):
    launch = serializers.PrimaryKeyRelatedField(
        queryset=LaunchPlan.objects.all(), required=False, allow_null=True, default=None
    )
