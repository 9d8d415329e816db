"""Forms for the asset screens. They parse and validate input; services do the work."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import Group
from django.db.models import QuerySet

from accounts.models import User
from assets.models import Asset, AssetTerm, Collection, LicenceType
from assets.permissions import GRANT_LEVELS
from dam.forms import TreeChoiceField
from taxonomy.models import MetadataField, Term
from taxonomy.pickers import TermsWidget, TermURIField, TermWidget
from taxonomy.schema import fields_for


class ChannelsField(forms.Field):
    """A list of channel names, typed as one comma-separated line."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> list[str]:
        return [part.strip() for part in (value or "").split(",") if part.strip()]

    def prepare_value(self, value: Any) -> str:
        return ", ".join(value) if isinstance(value, list) else (value or "")


def schema_form_field(field: MetadataField) -> forms.Field:
    """The form field for one schema field; "required" is checked at submission, so drafts can be saved."""
    options: dict[str, Any] = {"label": field.label, "required": False,
                               "help_text": " ".join(filter(None, ["Required before review." if field.required
                                                                   else "", field.help_text]))}
    made = _schema_form_field(field, options)
    made.needed_for_review = field.required  # type: ignore[attr-defined]  # _form.html marks it with an asterisk
    return made


def _schema_form_field(field: MetadataField, options: dict[str, Any]) -> forms.Field:
    kind = MetadataField.Type
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
        # Every term of the vocabulary, so a deprecated value still shows as its term; the autocomplete
        # suggests active ones and the schema check says what replaces a deprecated one.
        made = TermURIField(queryset=Term.objects.filter(vocabulary=field.vocabulary), error_messages={
            "invalid_choice": f"There is no such term in “{field.vocabulary}”."}, **options)
        cast(TermWidget, made.widget).vocabulary = field.vocabulary_id
        return made
    return forms.CharField(**options)


class AssetEditForm(forms.ModelForm):
    channels = ChannelsField(required=False, help_text="Comma-separated, e.g. web, social, print.")
    regions = ChannelsField(required=False, label="Regions allowed",
                            help_text="Comma-separated, e.g. FR, DE, EU; empty means anywhere.")
    collection = TreeChoiceField(queryset=Collection.objects.none())
    revision = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Asset
        fields = ["title", "description", "collection", "campaign", "licence", "rights_holder", "usage_terms",
                  "channels", "rights_expire_at", "embargo_until", "rights_start", "credit_line", "regions"]
        widgets = {
            "rights_start": forms.DateTimeInput(attrs={"type": "datetime-local"}),
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
        # The licence is chosen from the controlled list; a retired one stays selectable on the assets it is on.
        names = list(LicenceType.objects.filter(active=True).values_list("name", flat=True))
        if self.instance.licence and self.instance.licence not in names:
            names.append(self.instance.licence)
        self.fields["licence"] = forms.ChoiceField(choices=[("", "—")] + [(n, n) for n in names], required=False,
                                                   initial=self.instance.licence)
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
        # What stops a submission for review comes first: the title and the schema's required fields.
        self.order_fields(["title", *(self.schema_name(f.key) for f in self.schema_fields if f.required)])

    @staticmethod
    def schema_name(key: str) -> str:
        return f"meta__{key}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        expire, embargo = cleaned.get("rights_expire_at"), cleaned.get("embargo_until")
        if expire and embargo and embargo >= expire:
            self.add_error("embargo_until", "The embargo must end before the rights expire.")
        start = cleaned.get("rights_start")
        if start and expire and start >= expire:
            self.add_error("rights_start", "The rights must start before they expire.")
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


class PersonChoiceField(forms.ModelChoiceField):
    """A person, shown by their display name."""

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class GrantForm(forms.Form):
    level = forms.ChoiceField(choices=[(k, k.capitalize()) for k in GRANT_LEVELS])
    user = PersonChoiceField(queryset=User.objects.filter(is_active=True).order_by("username"), required=False,
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


# --- bulk edit and metadata as CSV ------------------------------------------------------

# What the bulk editor does with one of the asset's own fields; "" keeps each asset's value.
LEAVE, SET, APPEND, CLEAR = "", "set", "append", "clear"
BULK_CHOICES = [(LEAVE, "Leave as is"), (SET, "Set to"), (CLEAR, "Clear")]
DATE_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"})


def _bulk_value_fields() -> dict[str, forms.Field]:
    """The value half of each bulk change, in the order shown; the licence's choices are filled per form."""
    return {
        "description": forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 3})),
        "campaign": forms.CharField(label="Campaign", max_length=200),
        "licence": forms.ChoiceField(label="Licence", choices=[]),
        "rights_holder": forms.CharField(label="Rights holder", max_length=200),
        "credit_line": forms.CharField(label="Credit line", max_length=300),
        "usage_terms": forms.CharField(label="Usage terms", widget=forms.Textarea(attrs={"rows": 2})),
        "channels": ChannelsField(label="Channels", help_text="Comma-separated, e.g. web, social, print."),
        "regions": ChannelsField(label="Regions allowed", help_text="Comma-separated, e.g. FR, DE, EU."),
        "rights_start": forms.DateTimeField(label="Rights start", widget=DATE_WIDGET),
        "rights_expire_at": forms.DateTimeField(label="Rights expire", widget=DATE_WIDGET),
        "embargo_until": forms.DateTimeField(label="Embargo until", widget=DATE_WIDGET),
    }


RIGHTS_FIELDS = ("licence", "rights_holder", "credit_line", "usage_terms", "channels", "regions", "rights_start",
                 "rights_expire_at", "embargo_until")


class BulkEditForm(forms.Form):
    """Terms, folder, description, campaign, rights and one schema field for many assets at once.

    Each of the asset's own fields comes as a pair: what to do (`<name>__do`: leave, set, clear; the description
    may also be appended to) and the value."""

    assets = forms.CharField(widget=forms.HiddenInput)
    add_terms = forms.ModelMultipleChoiceField(queryset=Term.objects.all(), required=False, widget=TermsWidget,
                                               label="Add terms")
    remove_terms = forms.ModelMultipleChoiceField(queryset=Term.objects.all(), required=False, widget=TermsWidget,
                                                  label="Remove terms")
    collection = TreeChoiceField(queryset=Collection.objects.none(), required=False,
                                       label="Move to collection", empty_label="(leave where they are)")
    field_key = forms.ChoiceField(choices=[], required=False, label="Set the field")
    field_value = forms.CharField(required=False, label="to", help_text="Empty clears the field.")

    def __init__(self, *args: Any, collections: QuerySet[Collection], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["collection"]).queryset = collections
        # Required fields first, marked: they are what stops a submission for review.
        fields = sorted(MetadataField.objects.all(), key=lambda f: not f.required)
        cast(forms.ChoiceField, self.fields["field_key"]).choices = [("", "(no field)")] + [
            (f.key, f"{f.label} * (required before review)" if f.required else f.label) for f in fields]
        for name, value_field in _bulk_value_fields().items():
            value_field.required = False
            choices = BULK_CHOICES if name != "description" else [
                (LEAVE, "Leave as is"), (SET, "Replace with"), (APPEND, "Add at the end"), (CLEAR, "Clear")]
            self.fields[f"{name}__do"] = forms.ChoiceField(
                choices=choices, required=False, label=f"What to do with {value_field.label}",
                widget=forms.Select(attrs={"data-bulk-do": name, "aria-label": f"What to do with {value_field.label}"}))
            self.fields[name] = value_field
        licences = LicenceType.objects.filter(active=True).values_list("name", flat=True)
        cast(forms.ChoiceField, self.fields["licence"]).choices = [("", "—")] + [(n, n) for n in licences]

    def clean_assets(self) -> list[str]:
        return [uid for uid in self.cleaned_data["assets"].split(",") if uid.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in _bulk_value_fields():
            do, value = cleaned.get(f"{name}__do"), cleaned.get(name)
            if name in self.errors:
                continue
            if do in (SET, APPEND) and value in (None, "", []):
                self.add_error(name, "Give the new value, or choose “Clear” to empty it on every asset.")
            elif do == LEAVE and value not in (None, "", []):
                self.add_error(name, "Choose “Set to” to give every asset this value, or empty the box.")
        return cleaned

    def rows(self, names: tuple[str, ...]) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"{name}__do"], self[name]) for name in names]

    def groups(self) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]]]]:
        return [("Description and campaign", self.rows(("description", "campaign"))),
                ("Rights", self.rows(RIGHTS_FIELDS))]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("add_terms", "remove_terms", "collection", "field_key", "field_value")]

    def field_changes(self) -> tuple[dict[str, Any], str]:
        """The fields to set (a cleared one as empty) and the text to add to each description."""
        changes: dict[str, Any] = {}
        for name in _bulk_value_fields():
            do = self.cleaned_data.get(f"{name}__do")
            if do == SET:
                changes[name] = self.cleaned_data[name]
            elif do == CLEAR:
                changes[name] = None
        appended = self.cleaned_data["description"] if self.cleaned_data.get("description__do") == APPEND else ""
        return changes, appended


class MetadataImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV exported from the asset list and edited; only changed cells are written.")
