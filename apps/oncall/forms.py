"""Forms of the war-room pages. They check shapes; the services check the rules."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.oncall.models import EscalationStep, LayerVersion, Page, Schedule, Team
from apps.oncall.models.escalation import MAX_REPEATS, MAX_WAIT_MINUTES, MIN_WAIT_MINUTES

User = get_user_model()

DAY_CHOICES = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def local_datetime_field(label, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_("In your time zone."),
        **kwargs,
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.username})" if full else obj.username


class OverrideForm(forms.Form):
    """Someone on the team covers from start to end."""

    schedule = forms.ModelChoiceField(queryset=Schedule.objects.none(), label=_("Schedule"))
    user = MemberChoiceField(queryset=User.objects.none(), label=_("Who covers"))
    start = local_datetime_field(_("From"))
    end = local_datetime_field(_("Until"))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, team: Team, schedules=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["schedule"].queryset = (
            schedules if schedules is not None else team.schedules.all()
        )
        self.fields["user"].queryset = User.objects.filter(
            warroom_memberships__team=team, is_active=True
        ).order_by("username")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The override must end after it starts."))
        return data


class LayerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=0,
        max_value=1000,
        initial=1,
        help_text=_("Higher layers win over lower ones."),
    )
    shift_kind = forms.ChoiceField(label=_("Shift unit"), choices=LayerVersion.ShiftKind.choices)
    shift_length = forms.IntegerField(
        label=_("Shift length"), help_text=_("How many hours, days or weeks one shift lasts.")
    )
    handoff_time = forms.TimeField(
        label=_("Handoff time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Local time in the schedule's time zone."),
    )
    days_of_week = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=DAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4, 5, 6],
        help_text=_("Handoff-to-handoff windows starting on these days are covered."),
    )
    start_date = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional: the layer stops at the handoff on this day."),
    )
    participants = forms.CharField(
        label=_("Participants"),
        help_text=_("Usernames in turn order, separated by commas."),
    )

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        members = ", ".join(
            team.memberships.select_related("user").values_list("user__username", flat=True)
        )
        self.fields["participants"].help_text = _(
            "Usernames in turn order, separated by commas. Team members: %(members)s."
        ) % {"members": members or "-"}

    def clean_participants(self) -> list:
        names = [n.strip() for n in self.cleaned_data["participants"].split(",") if n.strip()]
        if not names:
            raise ValidationError(_("Add at least one participant."))
        found = {u.username: u for u in User.objects.filter(username__in=names)}
        unknown = [n for n in names if n not in found]
        if unknown:
            raise ValidationError(_("Unknown people: %(names)s.") % {"names": ", ".join(unknown)})
        return [found[n] for n in names]

    @staticmethod
    def initial_from(version: LayerVersion) -> dict:
        return {
            "name": version.name,
            "priority": version.priority,
            "shift_kind": version.shift_kind,
            "shift_length": version.shift_length,
            "handoff_time": version.handoff_time,
            "days_of_week": version.days_of_week,
            "start_date": version.start_date,
            "end_date": version.end_date,
            "participants": ", ".join(p.user.username for p in version.participants.all()),
        }


class ScheduleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[(tz, tz) for tz in sorted(zoneinfo.available_timezones())],
        help_text=_("A new time zone applies from now on; past shifts keep the old one."),
    )


class TeamPersonForm(forms.Form):
    user = MemberChoiceField(queryset=User.objects.none(), label=_("Person"))

    def __init__(self, *args, queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            queryset
            if queryset is not None
            else User.objects.filter(is_active=True, is_service_account=False).order_by("username")
        )


class LaunchChainForm(forms.Form):
    """Who stands at L3 and L4 of the runbook's escalation matrix."""

    architect = MemberChoiceField(queryset=User.objects.none(), label=_("L3: technical architect"))
    cto = MemberChoiceField(queryset=User.objects.none(), label=_("L4: CTO / technical director"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True, is_service_account=False).order_by("username")
        self.fields["architect"].queryset = people
        self.fields["cto"].queryset = people


class TriggerPageForm(forms.Form):
    title = forms.CharField(label=_("What is wrong"), max_length=300)
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    policy = forms.ModelChoiceField(queryset=None, label=_("Escalation policy"), required=False)

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = team.escalation_policies.all()


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StepForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Step"), choices=[("", "—"), *EscalationStep.Kind.choices], required=False
    )
    label = forms.CharField(label=_("Label"), max_length=100, required=False)
    schedule = forms.ModelChoiceField(
        queryset=Schedule.objects.select_related("team"), label=_("Schedule"), required=False
    )
    user = MemberChoiceField(
        queryset=User.objects.filter(is_active=True, is_service_account=False).order_by("username"),
        label=_("Person"),
        required=False,
    )
    wait_minutes = forms.IntegerField(label=_("Wait (min)"), required=False)
    repeat_from = forms.IntegerField(label=_("Repeat from step"), required=False)
    repeat_times = forms.IntegerField(label=_("Times"), required=False)

    def clean(self):
        """What each kind of step needs, on the field that lacks it (the service checks
        the rest: a repeat's step number against the steps kept, the person's state)."""
        data = super().clean()
        kind = data.get("kind")
        if kind == EscalationStep.Kind.NOTIFY_SCHEDULE and not data.get("schedule"):
            self.add_error("schedule", _("Choose the schedule whose on-call person is told."))
        if kind == EscalationStep.Kind.NOTIFY_USER and not data.get("user"):
            self.add_error("user", _("Choose the person to notify."))
        if kind == EscalationStep.Kind.WAIT:
            minutes = data.get("wait_minutes")
            if minutes is None or not MIN_WAIT_MINUTES <= minutes <= MAX_WAIT_MINUTES:
                self.add_error(
                    "wait_minutes",
                    _("A wait lasts from 1 minute to 24 hours (%(max)s minutes).")
                    % {"max": MAX_WAIT_MINUTES},
                )
        if kind == EscalationStep.Kind.REPEAT:
            if data.get("repeat_from") is None or data["repeat_from"] < 1:
                self.add_error("repeat_from", _("Repeat from an earlier step (its number)."))
            times = data.get("repeat_times")
            if times is None or not 1 <= times <= MAX_REPEATS:
                self.add_error(
                    "repeat_times", _("Repeat 1 to %(max)s times.") % {"max": MAX_REPEATS}
                )
        return data

    def as_step(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        return {
            "kind": data["kind"],
            "label": data.get("label") or "",
            "schedule": data["schedule"].pk if data.get("schedule") else None,
            "user": data["user"].pk if data.get("user") else None,
            "wait_minutes": data.get("wait_minutes"),
            "repeat_from": data.get("repeat_from"),
            "repeat_times": data.get("repeat_times"),
        }


StepFormSet = forms.formset_factory(StepForm, extra=3, max_num=30, validate_max=True)


def step_initial(step: EscalationStep) -> dict:
    return {
        "kind": step.kind,
        "label": step.label,
        "schedule": step.schedule_id,
        "user": step.user_id,
        "wait_minutes": step.wait_minutes,
        "repeat_from": step.repeat_from,
        "repeat_times": step.repeat_times,
    }


class PageFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), to_field_name="slug", required=False, label=_("Team")
    )
    status = forms.ChoiceField(
        choices=[("", _("Any")), *Page.Status.choices], required=False, label=_("Status")
    )


class FeedForm(forms.Form):
    schedule = forms.ModelChoiceField(
        queryset=Schedule.objects.select_related("team"),
        required=False,
        label=_("Schedule"),
        help_text=_("Leave empty for a feed of your own shifts."),
    )
    days = forms.IntegerField(label=_("Days ahead"), min_value=1, max_value=366, initial=60)
