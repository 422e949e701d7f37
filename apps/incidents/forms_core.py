"""Forms of the incident pages (list filters, declare, the incident page's actions,
severity levels). They check shapes; the services check the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from apps.incidents.models import (
    PEOPLE_KINDS,
    STATUS_LADDER,
    EntryKind,
    Incident,
    IncidentRole,
    Severity,
    Status,
)

TEXT_MAX = 20000


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def local_datetime_field(label, **kwargs) -> forms.DateTimeField:
    kwargs.setdefault("help_text", _("In your time zone."))
    return forms.DateTimeField(
        label=label,
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        **kwargs,
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        from apps.accounts.display import person_label

        return person_label(obj)


def _people():
    return (
        get_user_model()
        .objects.filter(is_active=True, is_service_account=False)
        .order_by("username")
    )


def _severities():
    return Severity.objects.filter(is_active=True).order_by("rank", "code")


def _action_choices() -> list[tuple[str, str]]:
    from apps.incidents.services.lifecycle import flag_action_keys

    return [(key, key) for key in flag_action_keys()]


class SeverityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} — {obj.name}"


# --- the list ---------------------------------------------------------------------------

STATUS_FILTER_CHOICES = [
    ("open", _("Open")),
    ("all", _("All")),
    *Status.choices,
]


class IncidentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER_CHOICES, required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=(), required=False)
    mine = forms.BooleanField(label=_("Commanded by me"), required=False)
    q = forms.CharField(label=_("Text"), max_length=200, required=False)
    cursor = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, severity_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = [("", _("Any")), *[(c, c) for c in severity_codes]]


# --- declaring --------------------------------------------------------------------------


class DeclareForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    severity = SeverityChoiceField(
        label=_("Severity"), queryset=_severities(), to_field_name="code"
    )
    summary = forms.CharField(
        label=_("What is happening"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    customer_impact = forms.CharField(
        label=_("Customer impact"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    affected_actions = forms.MultipleChoiceField(
        label=_("Affected areas"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    started_at = local_datetime_field(
        _("Started at"), required=False, help_text=_("May be before detection. Empty: detected.")
    )
    detected_at = local_datetime_field(
        _("Detected at"), required=False, help_text=_("In your time zone. Empty: now.")
    )
    owner = PersonChoiceField(
        label=_("Commander"),
        queryset=_people(),
        required=False,
        help_text=_("Empty: you."),
    )
    page_team = forms.ModelChoiceField(
        label=_("Page this team"),
        queryset=None,
        required=False,
        help_text=_("Through the team's first escalation policy."),
    )

    def __init__(self, *args, may_page: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["affected_actions"].choices = _action_choices()
        if may_page:
            from apps.oncall.models import Team

            self.fields["page_team"].queryset = Team.objects.order_by("name")
        else:
            del self.fields["page_team"]


# --- the incident page's actions ----------------------------------------------------------


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[(s, Status(s).label) for s in STATUS_LADDER],
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when going back to an earlier status."),
    )
    at = local_datetime_field(_("When"), required=False, help_text=_("Empty: now."))


class SeverityForm(forms.Form):
    severity = SeverityChoiceField(
        label=_("Severity"), queryset=_severities(), to_field_name="code"
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False, widget=forms.TextInput()
    )


class EditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    customer_impact = forms.CharField(
        label=_("Customer impact"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    affected_actions = forms.MultipleChoiceField(
        label=_("Affected areas"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    started_at = local_datetime_field(_("Started at"))
    detected_at = local_datetime_field(_("Detected at"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["affected_actions"].choices = _action_choices()

    @classmethod
    def for_incident(cls, incident: Incident, data=None) -> EditForm:
        return cls(
            data,
            initial={
                "title": incident.title,
                "summary": incident.summary,
                "customer_impact": incident.customer_impact,
                "affected_actions": incident.affected_actions,
                "started_at": incident.started_at,
                "detected_at": incident.detected_at,
            },
        )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=IncidentRole.choices)
    person = PersonChoiceField(label=_("Person"), queryset=_people())


class EndRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[c for c in IncidentRole.choices if c[0] != IncidentRole.COMMANDER],
    )


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k, EntryKind(k).label) for k in PEOPLE_KINDS],
        initial=EntryKind.NOTE,
    )
    body = forms.CharField(
        label=_("Text"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    pinned = forms.BooleanField(label=_("Pinned"), required=False)
    internal_only = forms.BooleanField(
        label=_("Internal only"),
        required=False,
        help_text=_("Never shown in anything sent outside the team."),
    )
    occurred_at = local_datetime_field(
        _("When it happened"), required=False, help_text=_("Empty: now. Not in the future.")
    )


class PageTeamForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from apps.oncall.models import Team

        self.fields["team"].queryset = Team.objects.order_by("name")


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("Merge into incident"),
        max_length=20,
        help_text=_("The number of the incident that stays, e.g. INC-2026-0007."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- severity levels ---------------------------------------------------------------------


class SeverityLevelForm(forms.ModelForm):
    class Meta:
        model = Severity
        fields = [
            "code",
            "name",
            "description",
            "rank",
            "postmortem_required",
            "postmortem_due_hours",
            "update_interval_minutes",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_postmortem_due_hours(self):
        value = self.cleaned_data["postmortem_due_hours"]
        if not 1 <= value <= 24 * 30:
            raise forms.ValidationError(
                _("A post-mortem is due 1 hour to 30 days after resolution.")
            )
        return value

    def clean_update_interval_minutes(self):
        value = self.cleaned_data["update_interval_minutes"]
        if not 1 <= value <= 24 * 60:
            raise forms.ValidationError(_("Status updates are due every 1 minute to 24 hours."))
        return value

    def clean_rank(self):
        value = self.cleaned_data["rank"]
        if not 1 <= value <= 100:
            raise forms.ValidationError(_("Give a rank from 1 (most severe) to 100."))
        return value
