"""Forms of the alert pages: routes and maintenance windows (written through services)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from apps.incidents.models import AlertGroup, Severity
from apps.oncall.models import EscalationPolicy, Team

MATCHERS_HELP = _(
    'One per line: name="value", name!="value", name=~"regex", name!~"regex" '
    "(regular expressions match the whole value)."
)


class GroupFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All"))] + AlertGroup.State.choices
    )
    flagged = forms.BooleanField(label=_("Only flagged (no owner or runbook)"), required=False)


class RouteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    position = forms.IntegerField(label=_("Position"), min_value=0, required=False)
    matchers = forms.CharField(
        label=_("Matchers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=MATCHERS_HELP,
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.order_by("name"))
    policy = forms.ModelChoiceField(
        label=_("Escalation policy"),
        queryset=EscalationPolicy.objects.select_related("team").order_by("team__name", "name"),
        required=False,
        help_text=_("Empty: the team's first policy."),
    )
    open_incident_severity = forms.ModelChoiceField(
        label=_("Open an incident at"),
        queryset=Severity.objects.filter(is_active=True),
        required=False,
    )
    incident_owner = forms.ModelChoiceField(
        label=_("Incident owner"),
        queryset=get_user_model().objects.filter(is_service_account=False, is_active=True),
        required=False,
    )
    threshold_count = forms.IntegerField(label=_("Page after N alerts"), min_value=1, initial=1)
    threshold_minutes = forms.IntegerField(label=_("Within M minutes"), min_value=0, initial=0)
    continue_matching = forms.BooleanField(label=_("Continue to later routes"), required=False)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)


class WindowForm(forms.Form):
    matchers = forms.CharField(
        label=_("Matchers"), widget=forms.Textarea(attrs={"rows": 3}), help_text=MATCHERS_HELP
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
