from __future__ import annotations

from typing import Any

from django import forms

from distribution.models import Preset, Watermark


class PresetForm(forms.ModelForm):
    name = forms.SlugField(max_length=50, help_text="Letters, digits and hyphens; part of download and delivery URLs "
                                                    "(it cannot change later).")

    class Meta:
        model = Preset
        fields = ["name", "label", "description", "max_width", "max_height", "fit", "format", "quality",
                  "color_profile", "metadata", "watermark", "restricted", "position"]
        widgets = {"fit": forms.RadioSelect, "format": forms.RadioSelect, "color_profile": forms.RadioSelect,
                   "metadata": forms.RadioSelect}
        help_texts = {"max_width": "Pixels; empty keeps the original's width.",
                      "max_height": "Pixels; empty keeps the original's height.",
                      "quality": "1-100 (JPEG, WebP, AVIF): 80-90 for the web, 95 for print.",
                      "position": "Where it appears in lists (smaller first)."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["name"].disabled = True
        # The service checks the values (distribution.presets.preset_check) and names the field at fault.
        for name in ("max_width", "max_height", "quality"):
            self.fields[name].validators = []
        self.fields["label"].required = False


class WatermarkForm(forms.ModelForm):
    image = forms.FileField(required=False, help_text="A PNG with transparency, at most 2 MB and 4,000 px a side.",
                            widget=forms.ClearableFileInput(attrs={"accept": "image/png"}))

    class Meta:
        model = Watermark
        fields = ["name", "kind", "text", "position", "scale", "opacity"]
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("scale", "opacity"):
            self.fields[name].validators = []
        self.fields["name"].validators = []
