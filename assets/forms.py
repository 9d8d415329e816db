"""Forms for the asset screens. They parse and validate input; services do the work."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from assets.models import Asset, AssetTerm, AssetType, Collection, MetadataField, OnDuplicate
from assets.permissions import GRANT_LEVELS
from assets.schema import fields_for
from taxonomy.models import Term, Vocabulary
from taxonomy.selectors import paths_for


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


class CollectionMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Collection) -> str:
        return f"{'— ' * obj.depth}{obj.name}"


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


class TermsWidget(forms.SelectMultiple):
    """Chosen terms as removable chips plus a search box that suggests terms by any of their labels."""

    template_name = "assets/widgets/terms.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        ids = [int(v) for v in (value or []) if str(v).isdigit()]
        terms = {t.pk: t for t in Term.objects.filter(pk__in=ids)}
        paths = paths_for(terms.values())
        context["chosen"] = [{"term": terms[i], "path": " › ".join(paths[i])} for i in ids if i in terms]
        context["autocomplete_url"] = reverse("taxonomy:autocomplete")
        return context

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        # The project's template engine (the default form renderer does not look in templates/); the template
        # autoescapes, so its output is safe to mark.
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))  # noqa: S308


def schema_form_field(field: MetadataField) -> forms.Field:
    """The form field for one schema field; "required" is checked at submission, so drafts can be saved."""
    kind = MetadataField.Type
    options: dict[str, Any] = {"label": field.label, "required": False,
                               "help_text": " ".join(filter(None, [field.help_text, "Needed before submitting for "
                                                                    "review." if field.required else ""]))}
    if field.field_type == kind.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **options)
    if field.field_type == kind.NUMBER:
        return forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), **options)
    if field.field_type == kind.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **options)
    if field.field_type == kind.BOOLEAN:
        return forms.ChoiceField(choices=[("", "—"), ("true", "Yes"), ("false", "No")], **options)
    if field.field_type == kind.URL:
        return forms.CharField(widget=forms.URLInput, **options)
    if field.field_type == kind.CHOICE:
        return forms.ChoiceField(choices=[("", "—")] + [(str(c), str(c)) for c in field.choices], **options)
    if field.field_type == kind.TERM:
        terms = Term.objects.filter(vocabulary=field.vocabulary, status=Term.Status.ACTIVE).order_by("label")
        return forms.ChoiceField(choices=[("", "—")] + [(t.uri, t.label) for t in terms], **options)
    return forms.CharField(**options)


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

    terms = forms.ModelMultipleChoiceField(queryset=Term.objects.all(), required=False, widget=TermsWidget,
                                           help_text="Type any label, synonym or translation and pick a term.")

    def __init__(self, *args: Any, collections: QuerySet[Collection], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["collection"]).queryset = collections
        self.fields["revision"].initial = self.instance.revision
        self.fields["terms"].initial = [link.term_id for link in self.instance.term_links.all()
                                        if link.source == AssetTerm.Source.HUMAN]
        # The schema's fields, in its order, after the built-in ones; their values live in Asset.metadata.
        self.schema_fields = fields_for(self.instance.asset_type, self.instance.collection)
        metadata = self.instance.metadata or {}
        for field in self.schema_fields:
            self.fields[self.schema_name(field.key)] = schema_form_field(field)
            value = metadata.get(field.key)
            self.fields[self.schema_name(field.key)].initial = (str(value).lower() if isinstance(value, bool)
                                                               else value)

    @staticmethod
    def schema_name(key: str) -> str:
        return f"meta__{key}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        expire, embargo = cleaned.get("rights_expire_at"), cleaned.get("embargo_until")
        if expire and embargo and embargo >= expire:
            self.add_error("embargo_until", "The embargo must end before the rights expire.")
        return cleaned

    def changes(self) -> dict[str, Any]:
        changes = {name: self.cleaned_data[name] for name in self.Meta.fields}
        metadata = dict(self.instance.metadata or {})
        for field in self.schema_fields:
            metadata[field.key] = self.cleaned_data.get(self.schema_name(field.key))
        # Empty values are dropped by the schema check; a value it does not know is kept as is.
        changes["metadata"] = {k: v for k, v in metadata.items() if v not in (None, "")}
        changes["terms"] = [term.pk for term in self.cleaned_data["terms"]]
        return changes

    def add_service_errors(self, exc: Any) -> None:
        """Put the service's ValidationError beside the fields it names ("metadata.<key>" → that field)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.message_dict.items():
            field = self.schema_name(name.removeprefix("metadata.")) if name.startswith("metadata.") else name
            self.add_error(field if field in self.fields else None, errors)


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


# --- metadata schema, term proposals, bulk edit ------------------------------------------

class MetadataFieldForm(forms.ModelForm):
    choices = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              help_text="Choice fields: one choice per line.")
    asset_types = forms.MultipleChoiceField(choices=AssetType.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple,
                                            help_text="None ticked: every asset type.")
    collections = CollectionMultipleChoiceField(queryset=Collection.objects.order_by("path"), required=False,
                                                widget=forms.SelectMultiple(attrs={"size": 5}),
                                                help_text="None chosen: every collection. A folder includes its "
                                                          "sub-folders.")

    class Meta:
        model = MetadataField
        fields = ["key", "label", "field_type", "choices", "vocabulary", "required", "help_text", "asset_types",
                  "collections", "order"]
        help_texts = {"key": "Stored as metadata[key]; letters, digits, - and _.",
                      "vocabulary": "For “term from a vocabulary” fields."}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.initial["choices"] = "\n".join(str(c) for c in (self.instance.choices or []))

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class ProposeTermForm(forms.Form):
    label = forms.CharField(max_length=300, label="Proposed term")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           help_text="Why it is needed, or where it belongs.")


class AcceptProposalForm(forms.Form):
    vocabulary = forms.ModelChoiceField(queryset=Vocabulary.objects.all())
    label = forms.CharField(max_length=300, required=False, help_text="Leave empty to use the proposed wording.")
    broader = forms.CharField(required=False, help_text="Optional: URI or id of the broader term.")


class BulkEditForm(forms.Form):
    assets = forms.CharField(widget=forms.HiddenInput)
    add_terms = forms.ModelMultipleChoiceField(queryset=Term.objects.all(), required=False, widget=TermsWidget,
                                               label="Add terms")
    remove_terms = forms.ModelMultipleChoiceField(queryset=Term.objects.all(), required=False, widget=TermsWidget,
                                                  label="Remove terms")
    collection = CollectionChoiceField(queryset=Collection.objects.none(), required=False,
                                       label="Move to collection", empty_label="(leave where they are)")
    field_key = forms.ChoiceField(choices=[], required=False, label="Set the field")
    field_value = forms.CharField(required=False, label="to", help_text="Empty clears the field.")

    def __init__(self, *args: Any, collections: QuerySet[Collection], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["collection"]).queryset = collections
        cast(forms.ChoiceField, self.fields["field_key"]).choices = [("", "(no field)")] + [
            (f.key, f.label) for f in MetadataField.objects.all()]

    def clean_assets(self) -> list[str]:
        return [uid for uid in self.cleaned_data["assets"].split(",") if uid.strip()]


class NamingRuleForm(forms.Form):
    pattern = forms.CharField(max_length=200, help_text="Placeholders: {campaign} {type} {title} {collection} "
                                                        "{version} {uid} {date:%Y%m%d} and any schema field key.")
    collection = CollectionChoiceField(queryset=Collection.objects.order_by("path"), required=False,
                                       empty_label="(by asset type instead)")
    asset_type = forms.ChoiceField(choices=[("", "(by collection instead)"), *AssetType.choices], required=False)


class MetadataImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV exported from the asset list and edited; only changed cells are written.")
