"""Forms of the mitigation part: block a kill switch, decide about held switches.

They check shapes; the flags and incidents services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.flags.scopes import ScopeKind, normalize_scope_value
from apps.incidents.services.mitigation import KEEP, UNBLOCK, SwitchDecision, switch_label


class BlockSwitchForm(forms.Form):
    """Block one kill switch for one scope; the incident is linked by the page."""

    flag = forms.ChoiceField(label=_("Kill switch"), choices=())
    scope_kind = forms.ChoiceField(label=_("Scope"), choices=ScopeKind.choices)
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

    def __init__(self, *args, flags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flag"].choices = [
            (flag.key, f"{flag.key}{' ★' if flag.fund_related else ''}") for flag in flags
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("scope_kind")
        if kind:
            try:
                data["scope_value"] = normalize_scope_value(kind, data.get("scope_value", ""))
            except ValueError as error:
                self.add_error("scope_value", str(error))
        return data


class ResolveForm(forms.Form):
    """Per held switch: keep (with a reason) or request the unblock; then resolve."""

    ACTION_CHOICES = [
        (KEEP, _("Keep blocked")),
        (UNBLOCK, _("Request the unblock")),
    ]

    note = forms.CharField(
        label=_("Resolution note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, switches, **kwargs):
        super().__init__(*args, **kwargs)
        self.switches = switches
        for state in switches:
            if getattr(state, "pending_request", None) is not None:
                continue
            label = switch_label(state)
            self.fields[f"action_{state.pk}"] = forms.ChoiceField(
                label=label,
                choices=self.ACTION_CHOICES,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("%(switch)s: keep it or request the unblock.") % {"switch": label}
                },
            )
            self.fields[f"reason_{state.pk}"] = forms.CharField(
                label=_("Reason"),
                max_length=2000,
                required=False,
                widget=forms.TextInput(),
            )

    def rows(self):
        """(state, action field, reason field) per switch, for the template."""
        for state in self.switches:
            name = f"action_{state.pk}"
            if name in self.fields:
                yield state, self[name], self[f"reason_{state.pk}"]
            else:
                yield state, None, None

    def clean(self):
        data = super().clean()
        for state in self.switches:
            action = data.get(f"action_{state.pk}")
            reason = (data.get(f"reason_{state.pk}") or "").strip()
            if action == KEEP and not reason:
                self.add_error(
                    f"reason_{state.pk}",
                    _("%(switch)s: say why it stays blocked.") % {"switch": switch_label(state)},
                )
        return data

    def decisions(self) -> dict[int, SwitchDecision]:
        data = self.cleaned_data
        return {
            state.pk: SwitchDecision(
                action=data[f"action_{state.pk}"], reason=data.get(f"reason_{state.pk}") or ""
            )
            for state in self.switches
            if data.get(f"action_{state.pk}")
        }
