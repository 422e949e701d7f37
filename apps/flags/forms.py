"""Forms of the flags pages. They check shapes; the services check the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.flags.models import Flag, FlagKind, ScheduledStatus, StateValue
from apps.flags.scopes import ScopeKind, normalize_scope_value


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


def _scope_choices(kinds) -> list[tuple[str, str]]:
    return [(kind, ScopeKind(kind).label) for kind in kinds]


class _ScopedForm(forms.Form):
    """A scope (kind and value), a required reason, an optional incident and end."""

    scope_kind = forms.ChoiceField(label=_("Scope"), choices=())
    scope_value = forms.CharField(
        label=_("Scope value"),
        max_length=150,
        required=False,
        help_text=_(
            "Round or project id, claim type, network slug or customer id; empty for global."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why: the reason is kept in the flag's history.")},
    )
    incident_ref = forms.CharField(
        label=_("Incident"),
        max_length=64,
        required=False,
        help_text=_("Optional reference, e.g. INC-42."),
    )
    until = local_datetime_field(
        _("Until"), required=False, help_text=_("Optional end, in your time zone.")
    )

    def clean(self):
        data = super().clean()
        kind = data.get("scope_kind")
        if kind:
            try:
                data["scope_value"] = normalize_scope_value(kind, data.get("scope_value", ""))
            except ValueError as error:
                self.add_error("scope_value", str(error))
        return data


class FlagStateForm(_ScopedForm):
    """Block or unblock (close or open) one flag for one scope."""

    def __init__(self, *args, flag: Flag, **kwargs):
        super().__init__(*args, **kwargs)
        self.flag = flag
        self.fields["scope_kind"].choices = _scope_choices(flag.accepted_scopes)
        self.fields["scope_kind"].initial = ScopeKind.GLOBAL

    def clean_until(self):
        until = self.cleaned_data.get("until")
        if until is not None and until <= timezone.now():
            raise ValidationError(_("The end must be in the future."))
        return until


class ScheduledChangeForm(_ScopedForm):
    """A state to apply at a set time (and optionally to end later)."""

    field_order = ["flag", "state", "scope_kind", "scope_value", "run_at", "until", "reason"]

    flag = forms.ModelChoiceField(
        label=_("Flag"), queryset=Flag.objects.order_by("key"), to_field_name="key"
    )
    state = forms.ChoiceField(label=_("New state"), choices=StateValue.choices)
    run_at = local_datetime_field(_("Apply at"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope_kind"].choices = ScopeKind.choices
        self.fields["scope_kind"].initial = ScopeKind.GLOBAL

    def clean(self):
        data = super().clean()
        run_at, until = data.get("run_at"), data.get("until")
        if run_at is not None and run_at <= timezone.now():
            self.add_error("run_at", _("Choose a time in the future."))
        if run_at is not None and until is not None and until <= run_at:
            self.add_error("until", _("The end must be after the start."))
        return data


class UnblockRequestForm(forms.Form):
    """Ask for the unblock of one customer (a user-scoped state)."""

    scope_value = forms.CharField(
        label=_("Customer"),
        max_length=150,
        help_text=_("The platform customer's id or handle, as in the block."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the block can be lifted.")},
    )
    incident_ref = forms.CharField(
        label=_("Ticket or incident"),
        max_length=64,
        required=False,
        help_text=_("Optional reference, e.g. SUP-42."),
    )

    def clean_scope_value(self) -> str:
        try:
            return normalize_scope_value(ScopeKind.USER, self.cleaned_data["scope_value"])
        except ValueError as error:
            raise ValidationError(str(error)) from None


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        error_messages={"required": _("Say why it should not run.")},
    )


class FlagFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Every kind")), *FlagKind.choices], required=False
    )
    blocked = forms.BooleanField(label=_("Blocked or closed only"), required=False)


class ScheduledFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Every status")), *ScheduledStatus.choices],
        required=False,
    )
