"""Forms of the checklist pages. They check shapes; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from apps.warroom.models import (
    EVIDENCE_CONTENT_TYPES,
    EVIDENCE_MAX_BYTES,
    ChecklistRun,
    ChecklistTemplate,
    LaunchPlan,
)
from apps.warroom.models.checklists import MARK_RESULTS
from apps.warroom.services.checklists import MAX_EVIDENCE_TEXT, MAX_LABEL, MAX_NOTE
from apps.warroom.services.launch_checklists import LAUNCH_STATUSES_TAKING_RUNS


class LaunchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: LaunchPlan) -> str:
        return f"{obj.name} ({obj.get_status_display()})"


class RunStartForm(forms.Form):
    field_order = ["template", "launch", "environment", "launch_label"]

    template = forms.ModelChoiceField(
        queryset=ChecklistTemplate.objects.none(),
        label=_("Checklist"),
        to_field_name="slug",
        empty_label=None,
    )
    environment = forms.ChoiceField(
        label=_("Environment"),
        choices=ChecklistRun.Environment.choices,
        initial=ChecklistRun.Environment.PRODUCTION,
    )
    launch_label = forms.CharField(
        label=_("For"),
        max_length=MAX_LABEL,
        required=False,
        help_text=_("What this run is for: a launch, a release, a shift (optional)."),
    )
    launch = LaunchChoiceField(
        queryset=LaunchPlan.objects.none(),
        label=_("Launch plan"),
        required=False,
        empty_label=_("— not for a launch plan —"),
        help_text=_(
            "The launch this run belongs to (optional); its start and result go into that "
            "launch's war-room log."
        ),
        error_messages={
            "invalid_choice": _(
                "Choose a planned, live or rolled-back launch; completed and cancelled "
                "launches cannot get new checklist runs."
            )
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(active=True).order_by(
            "kind", "name"
        )
        self.fields["launch"].queryset = LaunchPlan.objects.filter(
            status__in=LAUNCH_STATUSES_TAKING_RUNS
        ).order_by("t0", "id")


def _evidence_help() -> str:
    # Formatted when shown, not at import: a help text filled in at import stays in the
    # language the process started in.
    return _("At most %(mb)s MB: %(types)s.") % {
        "mb": EVIDENCE_MAX_BYTES // (1024 * 1024),
        "types": ", ".join(sorted(EVIDENCE_CONTENT_TYPES)),
    }


class ItemMarkForm(forms.Form):
    """Pass, fail or skip one item, with a note and evidence."""

    result = forms.ChoiceField(
        label=_("Result"),
        choices=MARK_RESULTS,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when failing or skipping."),
    )
    evidence_text = forms.CharField(
        label=_("Evidence"),
        max_length=MAX_EVIDENCE_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A link, a query and its output, a snippet."),
    )
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        help_text=lazy(_evidence_help, str)(),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(EVIDENCE_CONTENT_TYPES))}),
    )


class RunCompleteForm(forms.Form):
    note = forms.CharField(
        label=_("Closing note"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RunAbandonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the run abandoned?"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RunFilterForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=ChecklistTemplate.objects.none(),
        label=_("Checklist"),
        to_field_name="slug",
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any")), *ChecklistRun.Status.choices],
        required=False,
    )
    launch = LaunchChoiceField(
        queryset=LaunchPlan.objects.none(), label=_("Launch plan"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ChecklistTemplate.objects.order_by("kind", "name")
        self.fields["launch"].queryset = LaunchPlan.objects.order_by("-t0", "-id")


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Slug"), max_length=60, required=False, help_text=_("Made from the name if empty.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ChecklistTemplate.Kind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class TemplateItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    help_text = forms.CharField(
        label=_("Help text"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence_required = forms.BooleanField(label=_("Evidence required"), required=False)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)

    def as_item(self) -> dict | None:
        """The item dict for the service, or None for a blank or deleted row."""
        data = getattr(self, "cleaned_data", None) or {}
        if not data.get("title") or data.get("DELETE"):
            return None
        return {
            "title": data["title"],
            "help_text": data.get("help_text", ""),
            "evidence_required": bool(data.get("evidence_required")),
            "required": bool(data.get("required")),
        }


TemplateItemFormSet = forms.formset_factory(
    TemplateItemForm, extra=3, can_delete=True, max_num=100, validate_max=True
)


def template_item_initial(template: ChecklistTemplate) -> list[dict]:
    return [
        {
            "title": item.title,
            "help_text": item.help_text,
            "evidence_required": item.evidence_required,
            "required": item.required,
        }
        for item in template.items.order_by("position")
    ]
