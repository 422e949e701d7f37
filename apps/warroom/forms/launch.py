"""Forms of the launch-plan pages. They check shapes; the services check the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.oncall.forms import MemberChoiceField, local_datetime_field
from apps.oncall.models import Team
from apps.warroom.launch_time import FORMAT_HELP, format_offset, parse_offset
from apps.warroom.models import LaunchLogEntry, LaunchPlan, LaunchTask

User = get_user_model()


class OffsetField(forms.Field):
    """``T-7 d``, ``T-2 h``, ``T-30 min``, ``T0``, ``T+24 h`` → an ``Offset``."""

    widget = forms.TextInput
    max_length = 40

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", FORMAT_HELP)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", "T-2 h")
        self.widget.attrs.setdefault("maxlength", str(self.max_length))

    def prepare_value(self, value):
        if hasattr(value, "total_seconds"):
            return format_offset(value)
        return super().prepare_value(value)

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        if len(text) > self.max_length:
            raise ValidationError(FORMAT_HELP)
        return parse_offset(text)


class PersonChoiceField(MemberChoiceField):
    """Any active account; a service account is refused with a clear message (a task's
    owner is a person)."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=User.objects.filter(is_active=True).order_by("username"), **kwargs
        )

    def clean(self, value):
        user = super().clean(value)
        if user is not None and getattr(user, "is_service_account", False):
            raise ValidationError(_("Choose a person, not a service account."))
        return user


class LaunchPlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    t0 = local_datetime_field(_("T0"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["t0"].help_text = _(
            "The planned start, in your time zone; stored in UTC. Task due times follow it."
        )
        self.fields["t0"].error_messages["required"] = _("Give T0, the planned start time.")


class LaunchPlanCreateForm(LaunchPlanForm):
    from_template = forms.BooleanField(
        label=_("Start from the runbook's plan"),
        required=False,
        initial=True,
        help_text=_(
            "Adds the standard tasks (T-21 d, T-14 d and the cutover checklist T-7 d … "
            "T+7 d) and the rollback criteria."
        ),
    )


class LaunchPlanEditForm(LaunchPlanForm):
    reason = forms.CharField(
        label=_("Why T0 moves"),
        required=False,
        max_length=500,
        help_text=_("Goes into the war-room log when T0 changes."),
    )


class LaunchStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=LaunchPlan.Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.TextInput(),
        help_text=_("Needed for a rollback or a cancellation."),
    )


class LaunchTaskForm(forms.Form):
    phase = forms.ModelChoiceField(queryset=None, label=_("Phase"))
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    offset = OffsetField(label=_("When (offset from T0)"))
    owner = PersonChoiceField(label=_("Owner"), required=False)
    owner_team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), label=_("Owner team"), required=False
    )

    def __init__(self, *args, plan: LaunchPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["phase"].queryset = plan.phases.all()
        self.fields["offset"].error_messages["required"] = _(
            "Give the offset from T0. %(help)s"
        ) % {"help": FORMAT_HELP}

    @staticmethod
    def initial_from(task: LaunchTask) -> dict:
        return {
            "phase": task.phase_id,
            "title": task.title,
            "description": task.description,
            "offset": task.offset_label,
            "owner": task.owner_id,
            "owner_team": task.owner_team_id,
        }


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=LaunchTask.Status.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        help_text=_("Needed when a task is blocked or skipped."),
    )


class RollbackCriterionForm(forms.Form):
    condition = forms.CharField(
        label=_("Condition"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    threshold = forms.CharField(label=_("Threshold / metric"), max_length=300, required=False)
    action = forms.CharField(
        label=_("Action"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision_owner = forms.CharField(label=_("Who decides"), max_length=150, required=False)


class LogEntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=LaunchLogEntry.Kind.choices, initial=LaunchLogEntry.Kind.NOTE
    )
    text = forms.CharField(
        label=_("What happened or was decided"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )
    corrects = forms.ModelChoiceField(
        queryset=LaunchLogEntry.objects.all(),
        required=False,
        label=_("Corrects entry"),
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["required"] = _(
            "Write what happened or what was decided."
        )


class LogFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *LaunchLogEntry.Kind.choices],
    )
    launch = forms.ModelChoiceField(
        queryset=LaunchPlan.objects.all(), required=False, label=_("Launch")
    )
