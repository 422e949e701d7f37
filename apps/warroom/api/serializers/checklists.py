"""Serializers of the checklist API: input shapes here, rules in the services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.core.api.input import JsonInput
from apps.core.api.query import text_filter, yes_no_filter
from apps.oncall.api.serializers import PersonSerializer
from apps.warroom.models import (
    ChecklistItemMark,
    ChecklistRun,
    ChecklistRunItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    LaunchPlan,
)
from apps.warroom.models.checklists import MARK_RESULTS
from apps.warroom.services.checklists import MAX_EVIDENCE_TEXT, MAX_LABEL, MAX_NOTE


class ChecklistTemplateItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistTemplateItem
        fields = ["position", "title", "help_text", "evidence_required", "required"]


class ChecklistTemplateSerializer(serializers.ModelSerializer):
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "kind",
            "active",
            "version",
            "source",
            "item_count",
            "updated_at",
        ]


class ChecklistTemplateDetailSerializer(ChecklistTemplateSerializer):
    items = ChecklistTemplateItemSerializer(many=True, read_only=True)

    class Meta(ChecklistTemplateSerializer.Meta):
        fields = [*ChecklistTemplateSerializer.Meta.fields, "items"]


class ChecklistItemMarkSerializer(serializers.ModelSerializer):
    actor = PersonSerializer()

    class Meta:
        model = ChecklistItemMark
        fields = [
            "result",
            "previous_result",
            "note",
            "evidence_text",
            "evidence_file_name",
            "actor",
            "at",
        ]


class ChecklistRunItemSerializer(serializers.ModelSerializer):
    marked_by = PersonSerializer(allow_null=True)
    marks = ChecklistItemMarkSerializer(many=True)

    class Meta:
        model = ChecklistRunItem
        fields = [
            "position",
            "title",
            "help_text",
            "evidence_required",
            "required",
            "result",
            "note",
            "evidence_text",
            "evidence_file_name",
            "evidence_content_type",
            "evidence_size",
            "evidence_sha256",
            "marked_by",
            "marked_at",
            "revision",
            "marks",
        ]


class ChecklistRunCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    passed = serializers.IntegerField()
    failed = serializers.IntegerField()
    skipped = serializers.IntegerField()
    open = serializers.IntegerField()


class ChecklistRunSerializer(serializers.ModelSerializer):
    template = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    started_by = PersonSerializer()
    completed_by = PersonSerializer(allow_null=True)
    counts = serializers.SerializerMethodField()
    launch = serializers.IntegerField(
        source="launch_id",
        allow_null=True,
        read_only=True,
        help_text=_("The id of the launch plan this run belongs to, if any."),
    )

    class Meta:
        model = ChecklistRun
        fields = [
            "id",
            "template",
            "template_name",
            "template_version",
            "environment",
            "launch",
            "launch_label",
            "status",
            "result",
            "started_by",
            "started_at",
            "completed_by",
            "completed_at",
            "closing_note",
            "counts",
        ]

    def get_counts(self, run) -> ChecklistRunCountsSerializer:
        keys = ("total", "passed", "failed", "skipped", "open")
        if all(hasattr(run, key) for key in keys):
            return {key: getattr(run, key) for key in keys}
        items = list(run.items.all())
        counts = {key: 0 for key in keys}
        counts["total"] = len(items)
        for item in items:
            counts[item.result] += 1
        return counts


class ChecklistRunDetailSerializer(ChecklistRunSerializer):
    items = ChecklistRunItemSerializer(many=True)

    class Meta(ChecklistRunSerializer.Meta):
        fields = [*ChecklistRunSerializer.Meta.fields, "items"]


class ChecklistTemplateFilterSerializer(serializers.Serializer):
    """Query parameters of the template list."""

    kind = serializers.ChoiceField(choices=ChecklistTemplate.Kind.choices, required=False)
    active = yes_no_filter(_("Only active (true) or retired (false) ones."))


class ChecklistRunFilterSerializer(serializers.Serializer):
    """Query parameters of the run list."""

    template = text_filter(_("A template slug."))
    status = serializers.ChoiceField(choices=ChecklistRun.Status.choices, required=False)
    environment = serializers.ChoiceField(choices=ChecklistRun.Environment.choices, required=False)
    launch = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Only the runs of this launch plan.")
    )


class ChecklistRunStartSerializer(JsonInput):
    template = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=ChecklistTemplate.objects.all(),
        help_text=_("The checklist's slug, e.g. daily-ops-morning."),
    )
    environment = serializers.ChoiceField(
        choices=ChecklistRun.Environment.choices, default=ChecklistRun.Environment.PRODUCTION
    )
    launch_label = serializers.CharField(
        max_length=MAX_LABEL, required=False, allow_blank=True, default=""
    )
    launch = serializers.PrimaryKeyRelatedField(
        queryset=LaunchPlan.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "The id of the launch plan this run belongs to (planned, live or rolled back); "
            "its start and result are written to that launch's war-room log."
        ),
    )


class ChecklistItemMarkInputSerializer(JsonInput):
    result = serializers.ChoiceField(choices=MARK_RESULTS)
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")
    evidence_text = serializers.CharField(
        max_length=MAX_EVIDENCE_TEXT,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("A link or snippet. Files are attached from the portal page."),
    )


class ChecklistRunCompleteSerializer(JsonInput):
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")


class ChecklistRunAbandonSerializer(JsonInput):
    reason = serializers.CharField(max_length=MAX_NOTE)
