"""Portal forms. They only collect input; the services validate and save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.notify.models import Channel, Kind, OutboxStatus

SECRET_HELP = _(
    "Webhook: the signing secret. Slack: the incoming-webhook URL. Telegram: the bot token. "
    "Stored encrypted and never shown again; leave empty to keep the current one."
)


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    recipients = forms.CharField(
        label=_("Recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Email: one address per line."),
    )
    url = forms.CharField(
        label=_("Webhook URL"),
        required=False,
        max_length=500,
        help_text=_("Webhook: where the signed JSON is posted."),
    )
    chat_id = forms.CharField(
        label=_("Telegram chat id"),
        required=False,
        max_length=100,
        help_text=_("Telegram: a numeric chat id or an @channel name."),
    )
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=SECRET_HELP,
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args, channel: Channel | None = None, **kwargs):
        self.channel = channel
        if channel is not None and "initial" not in kwargs:
            config = channel.config or {}
            kwargs["initial"] = {
                "name": channel.name,
                "kind": channel.kind,
                "recipients": "\n".join(config.get("recipients") or []),
                "url": config.get("url", ""),
                "chat_id": config.get("chat_id", ""),
                "enabled": channel.enabled,
            }
        super().__init__(*args, **kwargs)
        if channel is not None:
            # The kind is fixed once made: a secret of one kind means nothing to another.
            self.fields["kind"].disabled = True

    def config(self) -> dict:
        data = self.cleaned_data
        kind = data.get("kind")
        if kind == Kind.EMAIL:
            lines = (data.get("recipients") or "").replace(",", "\n").splitlines()
            return {"recipients": [line.strip() for line in lines if line.strip()]}
        if kind == Kind.WEBHOOK:
            return {"url": data.get("url", "")}
        if kind == Kind.TELEGRAM:
            return {"chat_id": data.get("chat_id", "")}
        return {}


class ContactMethodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    target = forms.CharField(
        label=_("Target"),
        required=False,
        max_length=500,
        help_text=_(
            "Email: your address. Telegram: your chat id. Webhook: the URL. Slack: leave empty."
        ),
    )
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Webhook: the signing secret. Slack: the incoming-webhook URL. "
            "Telegram: the bot token. Stored encrypted, never shown again."
        ),
    )
    label = forms.CharField(label=_("Label"), required=False, max_length=100)


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any"))] + list(OutboxStatus.choices),
    )
