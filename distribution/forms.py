from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from distribution.services import DEFAULT_RENDITIONS, RENDITION_CHOICES


class ShareLinkForm(forms.Form):
    title = forms.CharField(max_length=200, required=False, help_text="Shown to the people who open the link.")
    expires_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     help_text="Leave empty for a link that does not expire.")
    password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False),
                               help_text="Optional: visitors must type it first.")
    max_downloads = forms.IntegerField(required=False, min_value=1, help_text="Optional: stop after this many.")
    renditions = forms.MultipleChoiceField(
        choices=[("web", "Web JPEG (up to 2,048 px, no embedded metadata)"),
                 ("preview", "Preview JPEG (up to 1,600 px, no embedded metadata)"),
                 ("thumb", "Thumbnail (up to 400 px)"), ("original", "Original file")],
        initial=list(DEFAULT_RENDITIONS), widget=forms.CheckboxSelectMultiple, label="Offer")
    keep_location = forms.BooleanField(
        required=False, label="Keep where the originals were taken",
        help_text="Off: originals leave without their GPS position and place names. Turn it on only when the "
                  "people you share with may know where the pictures were taken; it is recorded in the history.")

    def clean_renditions(self) -> list[str]:
        chosen = self.cleaned_data.get("renditions") or []
        return [r for r in RENDITION_CHOICES if r in chosen]

    def clean_expires_at(self) -> Any:
        value = self.cleaned_data.get("expires_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError("The expiry must be in the future.")
        return value


class SharePasswordForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput)
