"""The form of the integration screens (Settings → Integrations)."""
from __future__ import annotations

from typing import Any

from django import forms

from distribution.models import Integration


class IntegrationForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=100,
        help_text="The tool it is for, e.g. “Website CMS”. Download counts name it.")
    allowed_origins = forms.CharField(
        label="Sites that may use the picker", required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "https://cms.example.net", "spellcheck": "false"}),
        help_text="One origin per line: scheme and host (and port), such as https://cms.example.net. Only these "
                  "pages may open the picker and receive what a person picks. Leave empty for a key only.")

    @classmethod
    def for_integration(cls, integration: Integration, data: Any = None) -> IntegrationForm:
        return cls(data, initial={"name": integration.name,
                                  "allowed_origins": "\n".join(integration.allowed_origins)})
