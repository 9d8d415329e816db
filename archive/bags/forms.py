"""The admins' restore form."""
from __future__ import annotations

from django import forms


class RestoreForm(forms.Form):
    bag = forms.FileField(label="Zipped BagIt bag", help_text="A .zip made by “Export as BagIt package” or "
                          "manage.py export_bag. It is validated in full before anything is written.")
    replace = forms.BooleanField(required=False, label="Write over assets that already exist with the same uid")

    def clean_bag(self) -> object:
        bag = self.cleaned_data["bag"]
        if not bag.name.lower().endswith(".zip"):
            raise forms.ValidationError("Choose a .zip file: bags are restored from zip archives.")
        return bag
