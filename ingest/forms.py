"""Forms for the upload screens. They parse and validate input; services do the work."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from assets.models import Asset, Collection
from dam.forms import TreeChoiceField
from ingest.models import OnDuplicate


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Many files from one <input type=file multiple>; cleaned to a list."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            if not data and self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class UploadForm(forms.Form):
    duplicate_of: Asset | None = None  # set by the view when the file is already in the DAM
    collection = TreeChoiceField(queryset=Collection.objects.none())
    file = MultipleFileField(label="Files", help_text="Any files, or a zip / tar archive; types are read from "
                                                      "their content.")
    on_duplicate = forms.ChoiceField(label="If a file is already in the DAM", choices=OnDuplicate.choices,
                                     initial=OnDuplicate.REPORT, widget=forms.RadioSelect, required=False)
    title = forms.CharField(max_length=300, required=False,
                            help_text="For a single file; leave empty to use its embedded title or file name.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                  help_text="For a single file; leave empty to use its embedded description.")

    def __init__(self, *args: Any, collections: QuerySet[Collection], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["collection"]).queryset = collections
        if not self.initial.get("collection"):
            self.initial["collection"] = collections.first()  # the top folder the uploader may use

    def clean_on_duplicate(self) -> str:
        return self.cleaned_data.get("on_duplicate") or OnDuplicate.REPORT


class VersionForm(forms.Form):
    file = forms.FileField()
    change_note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                  help_text="What changed in this revision?")


