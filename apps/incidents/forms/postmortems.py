"""Forms of the post-mortem editor and the action items."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from apps.incidents.models.postmortems import (
    POSTMORTEM_SECTIONS,
    ActionItemStatus,
    http_url_validator,
)

User = get_user_model()


def _people():
    return User.objects.filter(is_active=True, is_service_account=False).order_by("username")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class PostMortemForm(forms.Form):
    owner = PersonChoiceField(queryset=User.objects.none(), label=_("Owner"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _people()
        for name, label in POSTMORTEM_SECTIONS:
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=50_000,
                widget=forms.Textarea(attrs={"rows": 12 if name == "timeline" else 5}),
            )


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    owner = PersonChoiceField(queryset=User.objects.none(), label=_("Owner"))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(
        label=_("Status"), choices=ActionItemStatus.choices, initial=ActionItemStatus.OPEN
    )
    link = forms.CharField(
        label=_("Link"),
        required=False,
        max_length=500,
        validators=[http_url_validator],
        help_text=_("Where the work is tracked (http:// or https://)."),
    )

    def __init__(self, *args, progress_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _people()
        if progress_only:
            # The item's owner, or any item of a published post-mortem: status and link only.
            for name in ("title", "owner", "due_date"):
                del self.fields[name]


class ActionItemFilterForm(forms.Form):
    mine = forms.BooleanField(label=_("Mine"), required=False)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    open = forms.BooleanField(label=_("Open"), required=False)


class ReturnToDraftForm(forms.Form):
    reason = forms.CharField(label=_("What should change"), max_length=1000)
