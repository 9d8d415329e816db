"""The forms of Settings → Connections and of "Send to Postiz / WordPress"."""
from __future__ import annotations

from typing import Any, cast

from django import forms

from assets.models import Collection
from distribution.connections.clients import Channel
from distribution.connections.services import SECRET_HINTS
from distribution.models import Connection, Preset


class ConnectionForm(forms.Form):
    kind = forms.ChoiceField(label="System", choices=Connection.Kind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label="Name", max_length=100, help_text="As people will see it, e.g. “Brand Postiz”.",
                           error_messages={"required": "Give the connection a name."})
    base_url = forms.CharField(
        label="Address", max_length=500, error_messages={"required": "Enter the system's address."},
        widget=forms.URLInput(attrs={"placeholder": "https://postiz.example.com/api", "spellcheck": "false"}),
        help_text="Postiz: its backend's address (usually ending in /api). WordPress: the site's address.")
    secret = forms.CharField(
        label="Secret", required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=f"Postiz: {SECRET_HINTS['postiz']} WordPress: {SECRET_HINTS['wordpress']} "
                  "Stored encrypted and never shown again.")
    collections = forms.ModelMultipleChoiceField(
        label="Folders it may receive", required=False, queryset=Collection.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple, help_text="None ticked: every folder.")

    @classmethod
    def for_connection(cls, connection: Connection, data: Any = None) -> ConnectionForm:
        form = cls(data, initial={"kind": connection.kind, "name": connection.name, "base_url": connection.base_url,
                                  "collections": list(connection.collections.all())})
        form.fields["secret"].help_text = "Leave empty to keep the stored secret. " + form.fields["secret"].help_text
        return form


class PushForm(forms.Form):
    connection = forms.ModelChoiceField(label="Send to", queryset=Connection.objects.none(), empty_label=None,
                                        widget=forms.RadioSelect)
    preset = forms.ModelChoiceField(label="File", queryset=Preset.objects.none(), to_field_name="name",
                                    empty_label=None, help_text="The approved version is sent in this preset; a file "
                                    "the system would refuse is converted to JPEG and made smaller until it fits.")
    channels = forms.MultipleChoiceField(label="Postiz channels", required=False,
                                         widget=forms.CheckboxSelectMultiple,
                                         help_text="A draft post is made in each; you schedule it in Postiz.")
    text = forms.CharField(label="Post text", required=False, widget=forms.Textarea(attrs={"rows": 5}),
                           help_text="Postiz only. Empty: each asset's title, description and credit.")

    def __init__(self, *args: Any, connections: Any, presets: Any, channels: list[Channel] | None = None,
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["connection"]).queryset = connections
        cast(forms.ModelChoiceField, self.fields["preset"]).queryset = presets
        cast(forms.MultipleChoiceField, self.fields["channels"]).choices = [
            (c.id, f"{c.name} ({c.identifier})") for c in channels or []]
