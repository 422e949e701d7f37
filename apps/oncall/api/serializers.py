"""Serializers of the war-room API: input shapes are checked here, rules in the services."""

from __future__ import annotations

import re
import zoneinfo

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.input import JsonInput
from apps.core.api.query import text_filter
from apps.oncall.models import (
    CalendarFeed,
    EscalationPolicy,
    EscalationStep,
    LayerVersion,
    Override,
    Page,
    PageEvent,
    PageStepRun,
    Schedule,
    Team,
)

User = get_user_model()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")


def person(user) -> dict | None:
    return PersonSerializer(user).data if user is not None else None


@extend_schema_field(OpenApiTypes.INT)
class PersonField(serializers.PrimaryKeyRelatedField):
    """A person by id: active, not a service account."""

    def get_queryset(self):
        return User.objects.filter(is_active=True, is_service_account=False)


# --- teams ---------------------------------------------------------------------------------


class TeamSerializer(serializers.ModelSerializer):
    lead = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["id", "slug", "name", "description", "lead", "members", "channel", "created_at"]

    def get_lead(self, team) -> dict | None:
        return person(team.lead)

    def get_members(self, team) -> list[dict]:
        return [person(m.user) for m in team.memberships.all()]


class TeamCreateSerializer(JsonInput):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=50, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    lead = PersonField(required=False, allow_null=True)


class TeamUpdateSerializer(JsonInput):
    name = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class TeamPersonSerializer(JsonInput):
    user = PersonField()


# --- schedules -----------------------------------------------------------------------------

_CLOCK_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


@extend_schema_field(
    {"type": "string", "pattern": _CLOCK_TIME, "example": "09:00", "description": "HH:MM"}
)
class ClockTimeField(serializers.TimeField):
    """A local clock time, ``HH:MM`` (or ``HH:MM:SS``), with no date and no offset."""

    default_error_messages = {"invalid": _("Give a time as HH:MM, e.g. 09:00.")}

    def to_internal_value(self, value):
        if not isinstance(value, str) or not re.fullmatch(_CLOCK_TIME, value):
            self.fail("invalid")
        return super().to_internal_value(value)


class ShiftSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    user = serializers.DictField()
    source = serializers.CharField(help_text=_("layer:<id> or override:<id>"))


class GapSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class LayerVersionSerializer(serializers.ModelSerializer):
    layer = serializers.IntegerField(source="layer_id")
    handoff_time = ClockTimeField(read_only=True)
    participants = serializers.SerializerMethodField()

    class Meta:
        model = LayerVersion
        fields = [
            "id",
            "layer",
            "name",
            "priority",
            "timezone",
            "shift_kind",
            "shift_length",
            "handoff_time",
            "days_of_week",
            "start_date",
            "end_date",
            "effective_from",
            "effective_until",
            "participants",
        ]

    def get_participants(self, version) -> list[dict]:
        return [person(p.user) for p in version.participants.all()]


class ScheduleSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Schedule
        fields = ["id", "team", "kind", "name", "timezone", "created_at"]


class ScheduleDetailSerializer(ScheduleSerializer):
    """A schedule with the layer versions in force now (documentation shape)."""

    layers = LayerVersionSerializer(many=True, read_only=True)

    class Meta(ScheduleSerializer.Meta):
        fields = [*ScheduleSerializer.Meta.fields, "layers"]


class TimezoneField(serializers.CharField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in zoneinfo.available_timezones():
            raise serializers.ValidationError(
                _("'%(value)s' is not an IANA time zone such as Europe/Warsaw.") % {"value": value}
            )
        return value


class ScheduleCreateSerializer(JsonInput):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    kind = serializers.ChoiceField(choices=Schedule.Kind.choices)
    timezone = TimezoneField()
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ScheduleUpdateSerializer(JsonInput):
    name = serializers.CharField(max_length=100, required=False)
    timezone = TimezoneField(required=False)


class LayerInputSerializer(JsonInput):
    name = serializers.CharField(max_length=100)
    priority = serializers.IntegerField(min_value=0, max_value=1000, default=1)
    shift_kind = serializers.ChoiceField(choices=LayerVersion.ShiftKind.choices)
    shift_length = serializers.IntegerField(
        help_text=_("Hours, days or weeks per shift (at least 1).")
    )
    handoff_time = ClockTimeField(help_text=_("Local time in the schedule's time zone."))
    days_of_week = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text=_("0 = Monday … 6 = Sunday")
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    participants = serializers.ListField(
        child=PersonField(), help_text=_("Team members, in turn order.")
    )


class OverrideSerializer(serializers.ModelSerializer):
    user = serializers.SerializerMethodField()
    effective_end = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Override
        fields = [
            "id",
            "schedule",
            "user",
            "start",
            "end",
            "effective_end",
            "reason",
            "created_at",
            "cancelled_at",
        ]

    def get_user(self, override) -> dict | None:
        return person(override.user)


class OverrideCreateSerializer(JsonInput):
    user = PersonField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class FeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarFeed
        fields = [
            "id",
            "kind",
            "schedule",
            "person",
            "hint",
            "days",
            "created_at",
            "revoked_at",
            "last_fetched_at",
        ]


class FeedCreateSerializer(JsonInput):
    kind = serializers.ChoiceField(choices=CalendarFeed.Kind.choices)
    schedule = serializers.PrimaryKeyRelatedField(
        queryset=Schedule.objects.all(), required=False, allow_null=True
    )
    days = serializers.IntegerField(min_value=1, max_value=366, default=60)


class FeedCreatedSerializer(FeedSerializer):
    url = serializers.CharField(help_text=_("The secret feed address, shown only this once."))

    class Meta(FeedSerializer.Meta):
        fields = [*FeedSerializer.Meta.fields, "url"]


# --- escalation ----------------------------------------------------------------------------


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationStep
        fields = [
            "position",
            "kind",
            "label",
            "schedule",
            "user",
            "wait_minutes",
            "repeat_from",
            "repeat_times",
        ]


class StepInputSerializer(JsonInput):
    kind = serializers.ChoiceField(choices=EscalationStep.Kind.choices)
    label = serializers.CharField(max_length=100, required=False, allow_blank=True)
    schedule = serializers.IntegerField(required=False, allow_null=True)
    user = serializers.IntegerField(required=False, allow_null=True)
    wait_minutes = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("1 to 1440 (24 hours).")
    )
    repeat_from = serializers.IntegerField(required=False, allow_null=True)
    repeat_times = serializers.IntegerField(required=False, allow_null=True)


class PolicySerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = EscalationPolicy
        fields = ["id", "team", "name", "description", "steps", "created_at", "updated_at"]


class PolicyCreateSerializer(JsonInput):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    steps = StepInputSerializer(many=True)


class PolicyUpdateSerializer(JsonInput):
    name = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    steps = StepInputSerializer(many=True, required=False)


# --- pages ---------------------------------------------------------------------------------


class PageEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = PageEvent
        fields = ["kind", "step_index", "repeat", "actor", "message", "data", "created_at"]


class PageStepRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = PageStepRun
        fields = ["step_index", "repeat", "kind", "ran_at", "outcome"]


class PageSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    acknowledged_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Page
        fields = [
            "id",
            "team",
            "policy",
            "title",
            "details",
            "is_test",
            "status",
            "current_step",
            "current_repeat",
            "next_run_at",
            "acknowledged_by",
            "acknowledged_at",
            "resolved_at",
            "created_by",
            "created_at",
        ]


class PageDetailSerializer(PageSerializer):
    events = PageEventSerializer(many=True, read_only=True)
    step_runs = PageStepRunSerializer(many=True, read_only=True)

    class Meta(PageSerializer.Meta):
        fields = [*PageSerializer.Meta.fields, "policy_snapshot", "events", "step_runs"]


class PageFilterSerializer(serializers.Serializer):
    """Query parameters of the page list."""

    team = text_filter(_("A team slug."), max_length=50)
    status = serializers.ChoiceField(choices=Page.Status.choices, required=False)


class PolicyFilterSerializer(serializers.Serializer):
    """Query parameters of the escalation-policy list."""

    team = text_filter(_("A team slug."), max_length=50)


class PageCreateSerializer(JsonInput):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    title = serializers.CharField(max_length=300)
    details = serializers.CharField(required=False, allow_blank=True, default="")
    policy = serializers.PrimaryKeyRelatedField(
        queryset=EscalationPolicy.objects.all(), required=False, allow_null=True
    )


class PageResolveSerializer(JsonInput):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
