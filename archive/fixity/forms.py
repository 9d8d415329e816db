"""The "Run a check now" form on the fixity page."""
from __future__ import annotations

from django import forms

from assets.models import Collection


class FixityRunForm(forms.Form):
    collection = forms.ModelChoiceField(
        queryset=Collection.objects.order_by("path"), required=False, empty_label="Every folder",
        label="Folder", help_text="Only this folder and its sub-folders. Untracked files are looked for only "
                                  "when every folder is checked.")
    sample = forms.IntegerField(
        required=False, min_value=1, max_value=10_000_000, label="How many originals",
        help_text="Leave empty to check every original; a number checks that many, the least recently "
                  "checked first.",
        error_messages={"min_value": "Check at least 1 original, or leave it empty to check them all.",
                        "invalid": "Enter a whole number of originals, or leave it empty to check them all."})

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["collection"].label_from_instance = lambda c: "— " * c.depth + c.name  # type: ignore[attr-defined]
