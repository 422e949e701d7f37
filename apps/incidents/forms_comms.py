"""Forms of status updates and their templates."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.incidents.models import Audience, StatusTemplate, UpdateLanguage
from apps.incidents.services.comms import MAX_NEXT_UPDATE_MINUTES
from apps.incidents.services.comms_render import PLACEHOLDERS


def placeholder_help() -> str:
    return ", ".join("{" + name + "}" for name in PLACEHOLDERS)


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: StatusTemplate) -> str:
        return f"{obj.name} — {obj.get_audience_display()}, {obj.get_language_display()}"


class StatusUpdateForm(forms.Form):
    """Post a status update: a template (or your own words) for an audience and language."""

    template = TemplateChoiceField(
        label=_("Template"),
        queryset=StatusTemplate.objects.none(),
        required=False,
        help_text=_("Its audience and language are taken when you leave those empty."),
    )
    audience = forms.ChoiceField(
        label=_("Audience"), choices=[("", "—"), *Audience.choices], required=False
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", "—"), *UpdateLanguage.choices], required=False
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is new: fills {message} in the template."),
    )
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        max_length=300,
        help_text=_("Leave empty to use the template's."),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Leave empty to use the template's. Placeholders: %(names)s."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Send to channels"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: recorded on the incident only (e.g. posted to a status page by hand)."),
    )
    next_update_in_minutes = forms.IntegerField(
        label=_("Next update in (minutes)"),
        required=False,
        min_value=0,
        max_value=MAX_NEXT_UPDATE_MINUTES,
        help_text=_("Empty: the severity's interval while open; 0: no further update."),
    )

    def __init__(self, *args, templates=None, channel_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        if templates is not None:
            self.fields["template"].queryset = templates
        self.fields["channels"].choices = [(name, name) for name in channel_names]
        self.fields["body"].help_text = self.fields["body"].help_text % {
            "names": placeholder_help()
        }

    def clean(self):
        data = super().clean()
        template = data.get("template")
        if template is not None:
            data["audience"] = data.get("audience") or template.audience
            data["language"] = data.get("language") or template.language
        if not data.get("audience"):
            self.add_error("audience", _("Choose the audience."))
        if not data.get("language"):
            self.add_error("language", _("Choose the language."))
        return data


class StatusTemplateForm(forms.ModelForm):
    """A template's words; kind, audience and language are set when it is made."""

    class Meta:
        model = StatusTemplate
        fields = ["key", "name", "audience", "language", "subject", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _("Placeholders: %(names)s.") % {
            "names": placeholder_help()
        }
        if self.instance.pk:
            for name in ("key", "audience", "language"):
                self.fields[name].disabled = True

    def validate_unique(self):
        # The service checks uniqueness (and everything else) when it saves.
        pass
