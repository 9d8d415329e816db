"""Forms for the upload screens. They parse and validate input; services do the work."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from assets.forms import TermsWidget, schema_form_field
from assets.models import Asset, Collection, LicenceType
from dam.forms import TreeChoiceField
from ingest.describe import PATTERN_HELP
from ingest.models import OnDuplicate
from taxonomy.models import MetadataField, Term


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
    # Said once for every file of the batch (ingest.describe); empty fields are filled from each file's own
    # embedded metadata.
    title = forms.CharField(max_length=300, required=False, label="Title",
                            help_text="One file: its title. Several: a pattern such as “Summer shoot {n}”. "
                                      f"{PATTERN_HELP} Empty: each file's embedded title or name.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                  help_text="For every file; empty: each file's embedded description.")
    terms = forms.ModelMultipleChoiceField(queryset=Term.objects.all(), required=False, widget=TermsWidget,
                                           help_text="Type any label and pick a term; every file gets them.")
    campaign = forms.CharField(max_length=200, required=False)
    licence = forms.ChoiceField(choices=[], required=False)
    rights_holder = forms.CharField(max_length=200, required=False)
    usage_terms = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, collections: QuerySet[Collection], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["collection"]).queryset = collections
        if not self.initial.get("collection"):
            self.initial["collection"] = collections.first()  # the top folder the uploader may use
        cast(forms.ChoiceField, self.fields["licence"]).choices = [("", "—")] + [
            (n, n) for n in LicenceType.objects.filter(active=True).values_list("name", flat=True)]
        # The schema's required fields, so that the batch arrives ready for review; each file gets those that
        # apply to its type and folder.
        self.schema_keys = []
        for field in MetadataField.objects.filter(required=True).order_by("order", "key"):
            self.fields[f"meta__{field.key}"] = schema_form_field(field)
            self.schema_keys.append(field.key)

    def sections(self) -> list[tuple[str, list[Any]]]:
        """The page's two parts: the files, and what describes every file (required schema fields first)."""
        files = ["collection", "file", "on_duplicate"]
        schema = [f"meta__{k}" for k in self.schema_keys]
        described = [*schema, "title", "description", "terms", "campaign", "licence", "rights_holder",
                     "usage_terms"]
        return [("Files", [self[name] for name in files]),
                ("Describe every file", [self[name] for name in described])]

    def batch_fields(self) -> dict[str, Any]:
        """What every file gets, as ingest.describe.batch_fields_clean reads it (the title only with many)."""
        data = self.cleaned_data
        fields = {name: data[name] for name in ("description", "campaign", "licence", "rights_holder",
                                                 "usage_terms") if data.get(name)}
        if len(data.get("file") or []) > 1 and data.get("title"):
            fields["title_pattern"] = data["title"]
        fields["terms"] = [t.pk for t in data.get("terms") or []]
        fields["metadata"] = {k: data[f"meta__{k}"] for k in self.schema_keys if data.get(f"meta__{k}")}
        return fields

    def add_service_errors(self, exc: Any) -> None:
        """Put describe's ValidationError beside its fields ("metadata.<key>" → that field)."""
        names = {"title_pattern": "title"}
        for name, errors in exc.message_dict.items():
            field = f"meta__{name.removeprefix('metadata.')}" if name.startswith("metadata.") else names.get(name,
                                                                                                            name)
            self.add_error(field if field in self.fields else None, errors)

    def clean_on_duplicate(self) -> str:
        return self.cleaned_data.get("on_duplicate") or OnDuplicate.REPORT


class VersionForm(forms.Form):
    file = forms.FileField()
    change_note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                  help_text="What changed in this revision?")


