from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from distribution.services import RENDITION_CHOICES


class ShareLinkForm(forms.Form):
    title = forms.CharField(max_length=200, required=False, help_text="Shown to the people who open the link.")
    expires_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     help_text="Leave empty for a link that does not expire.")
    password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False),
                               help_text="Optional: visitors must type it first.")
    max_downloads = forms.IntegerField(required=False, min_value=1, help_text="Optional: stop after this many.")
    renditions = forms.MultipleChoiceField(choices=[(r, r.capitalize()) for r in RENDITION_CHOICES],
                                           initial=["preview", "original"], widget=forms.CheckboxSelectMultiple)

    def clean_expires_at(self) -> Any:
        value = self.cleaned_data.get("expires_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError("The expiry must be in the future.")
        return value


class SharePasswordForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput)
