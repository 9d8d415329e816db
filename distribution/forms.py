from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone

from distribution.models import Preset, Watermark
from distribution.services import DEFAULT_PRESETS, MAX_RECIPIENTS

EXPIRY_CHOICES = [("1", "1 day"), ("7", "7 days"), ("30", "30 days"), ("never", "Never"), ("custom", "Choose a date")]


def preset_choice_label(preset: Preset) -> str:
    """"Web: JPEG up to 2048 px" - what a person chooses when they choose a preset."""
    if preset.is_original:
        return f"{preset.label}: the file as it was uploaded"
    sides = [s for s in (preset.max_width, preset.max_height) if s]
    size = "full size" if not sides else (
        f"{preset.max_width} × {preset.max_height} px, cropped" if preset.fit == Preset.Fit.COVER
        else f"up to {max(sides):,} px")
    mark = f", watermark “{preset.watermark}”" if preset.watermark_id else ""
    return f"{preset.label}: {preset.get_format_display()}, {size}{mark}"


class ShareLinkForm(forms.Form):
    title = forms.CharField(max_length=200, required=False, help_text="Shown to the people who open the link.")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="Optional: a sentence on the link's page.")
    presets = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="Offer",
                                        help_text="What people may download. The original is not offered unless "
                                                  "you tick it.")
    expiry = forms.ChoiceField(choices=EXPIRY_CHOICES, initial="7", widget=forms.RadioSelect, label="Expires")
    expires_at = forms.DateTimeField(required=False, label="Expiry date",
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     help_text="When you chose “Choose a date”.")
    password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False),
                               help_text="Optional: visitors must type it first.")
    max_downloads = forms.IntegerField(required=False, min_value=1, help_text="Optional: stop after this many "
                                                                              "downloads (a zip counts as one).")
    watermark = forms.ModelChoiceField(queryset=Watermark.objects.all(), required=False,
                                       help_text="Optional: laid over every picture the link hands out.")
    recipients = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "jane@example.com"}),
        help_text=f"Optional: e-mail addresses, one per line (at most {MAX_RECIPIENTS}). Each person gets a link of "
                  "their own by e-mail, so downloads and watermarks name them.")
    message = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="Optional: a message for the e-mail.")
    keep_location = forms.BooleanField(
        required=False, label="Keep where the originals were taken",
        help_text="Off: originals leave without their GPS position and place names. Turn it on only when the "
                  "people you share with may know where the pictures were taken; it is recorded in the history.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        presets = Preset.objects.filter(restricted=False).select_related("watermark")
        cast(forms.MultipleChoiceField, self.fields["presets"]).choices = [
            (p.name, preset_choice_label(p)) for p in presets]
        self.fields["presets"].initial = list(DEFAULT_PRESETS)

    def clean_recipients(self) -> list[str]:
        return [r for r in re.split(r"[\s,;]+", self.cleaned_data.get("recipients") or "") if r]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        expiry = data.get("expiry")
        when: datetime | None = None
        if expiry == "custom":
            when = data.get("expires_at")
            if when is None:
                self.add_error("expires_at", "Choose the date the link stops working.")
            elif when <= timezone.now():
                self.add_error("expires_at", "The expiry must be in the future.")
        elif expiry and expiry.isdigit():
            when = timezone.now() + timedelta(days=int(expiry))
        data["expires_at"] = when
        if data.get("watermark") and "original" in (data.get("presets") or []):
            self.add_error("watermark", "A watermark cannot be laid over original files: untick “Original” or "
                                        "choose no watermark.")
        return data

    def service_values(self) -> dict[str, Any]:
        """The cleaned values as share_links_create takes them."""
        data = dict(self.cleaned_data)
        data.pop("expiry", None)
        return data


class SharePasswordForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput)

