"""Forms for the asset screens. They parse and validate input; services do the work."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import Group
from django.db.models import QuerySet

from accounts.models import User
from assets.models import Asset, Collection, OnDuplicate
from assets.permissions import GRANT_LEVELS


class CollectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Collection) -> str:
        return f"{'— ' * obj.depth}{obj.name}"


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
    collection = CollectionChoiceField(queryset=Collection.objects.none())
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


class ChannelsField(forms.Field):
    """A list of channel names, typed as one comma-separated line."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> list[str]:
        return [part.strip() for part in (value or "").split(",") if part.strip()]

    def prepare_value(self, value: Any) -> str:
        return ", ".join(value) if isinstance(value, list) else (value or "")


class AssetEditForm(forms.ModelForm):
    channels = ChannelsField(required=False, help_text="Comma-separated, e.g. web, social, print.")
    collection = CollectionChoiceField(queryset=Collection.objects.none())
    revision = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Asset
        fields = ["title", "description", "collection", "campaign", "licence", "rights_holder", "usage_terms",
                  "channels", "rights_expire_at", "embargo_until"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "usage_terms": forms.Textarea(attrs={"rows": 2}),
            "rights_expire_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "embargo_until": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def __init__(self, *args: Any, collections: QuerySet[Collection], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["collection"]).queryset = collections
        self.fields["revision"].initial = self.instance.revision

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        expire, embargo = cleaned.get("rights_expire_at"), cleaned.get("embargo_until")
        if expire and embargo and embargo >= expire:
            self.add_error("embargo_until", "The embargo must end before the rights expire.")
        return cleaned

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CollectionForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class GrantForm(forms.Form):
    level = forms.ChoiceField(choices=[(k, k.capitalize()) for k in GRANT_LEVELS])
    user = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True).order_by("username"), required=False,
                                  to_field_name="username", empty_label="— no user —")
    group = forms.ModelChoiceField(queryset=Group.objects.order_by("name"), required=False,
                                   empty_label="— no group —")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("user")) == bool(cleaned.get("group")):
            raise forms.ValidationError("Choose a user or a group (one of them).")
        return cleaned


class AssetListDisplayForm(forms.Form):
    view = forms.ChoiceField(choices=[("grid", "Grid"), ("table", "Table")], required=False)
