"""Forms for the vocabulary screens: they parse input; services do the work."""
from __future__ import annotations

from typing import Any, cast

from django import forms

from dam.forms import TreeChoiceField, TreeMultipleChoiceField
from taxonomy.models import AssetType, MetadataField, NamingRule, Term, TermLabel, Vocabulary
from taxonomy.pickers import TermChoiceField, TermMultipleChoiceField, set_vocabulary


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class VocabularyForm(forms.ModelForm):
    class Meta:
        model = Vocabulary
        fields = ["title", "uri", "language", "description", "auto_tag_threshold"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}),
                   "auto_tag_threshold": forms.NumberInput(attrs={"step": "0.05", "min": "0", "max": "1"})}
        labels = {"auto_tag_threshold": "Auto-tag threshold"}
        help_texts = {"uri": "The concept scheme URI, e.g. https://vocab.example.org/subjects/",
                      "language": "Main language code, e.g. en"}


class VocabularyEditForm(VocabularyForm):
    """A vocabulary's editable fields: its URI is its identity and stays."""

    class Meta(VocabularyForm.Meta):
        fields = ["title", "language", "description", "auto_tag_threshold"]


class TermForm(forms.Form):
    pref_label = forms.CharField(max_length=300, label="Preferred label")
    alt_labels = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                 label="Alternative labels (synonyms)", help_text="One per line.")
    hidden_labels = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                    label="Hidden labels", help_text="Misspellings that should still find the "
                                                                     "term; one per line.")
    translations = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                   label="Preferred labels in other languages",
                                   help_text="One per line as language: label, e.g. de: Katzen")
    broader = TermMultipleChoiceField(queryset=Term.objects.none(), required=False,
                                      help_text="None makes it a top term. A term may have several.")
    related = TermMultipleChoiceField(queryset=Term.objects.none(), required=False)
    scope_note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                 help_text="When to use the term (and when not).")
    definition = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    notation = forms.CharField(max_length=100, required=False, help_text="A code, e.g. 2.4.1")
    uri = forms.URLField(max_length=500, required=False, label="URI",
                         help_text="Leave empty to make one from the vocabulary URI and the label.")

    def __init__(self, *args: Any, vocabulary: Vocabulary, term: Term | None = None, **kwargs: Any):
        self.vocabulary, self.term = vocabulary, term
        if term is not None:
            labels = list(term.labels.all())
            main = vocabulary.language

            def of(kind: str) -> list[str]:
                return [lb.text for lb in labels if lb.kind == kind and lb.language == main]
            kwargs.setdefault("initial", {}).update({
                "pref_label": (of(TermLabel.Kind.PREFERRED) or [term.label])[0],
                "alt_labels": "\n".join(of(TermLabel.Kind.ALTERNATIVE)),
                "hidden_labels": "\n".join(of(TermLabel.Kind.HIDDEN)),
                "translations": "\n".join(f"{lb.language}: {lb.text}" for lb in labels
                                          if lb.kind == TermLabel.Kind.PREFERRED and lb.language != main),
                "broader": list(term.broader.all()), "related": list(term.related.all()),
                "scope_note": term.scope_note, "definition": term.definition, "notation": term.notation,
                "uri": term.uri,
            })
        super().__init__(*args, **kwargs)
        choices = Term.objects.filter(vocabulary=vocabulary, status=Term.Status.ACTIVE)
        if term is not None:
            choices = choices.exclude(pk=term.pk)
            self.fields["uri"].disabled = True
        for name in ("broader", "related"):
            cast(forms.ModelMultipleChoiceField, self.fields[name]).queryset = choices
        set_vocabulary(self, vocabulary.pk, "broader", "related")

    def clean_translations(self) -> list[tuple[str, str]]:
        pairs = []
        for line in _lines(self.cleaned_data["translations"]):
            language, sep, text = line.partition(":")
            if not sep or not language.strip() or not text.strip():
                raise forms.ValidationError(f"Write “language: label”, not “{line}”.")
            pairs.append((language.strip(), text.strip()))
        return pairs

    def labels(self) -> list[tuple[str, str, str]]:
        """Every label of the term; labels in other languages this form does not show are kept."""
        data, main = self.cleaned_data, self.vocabulary.language
        labels = [(TermLabel.Kind.PREFERRED.value, main, data["pref_label"])]
        labels += [(TermLabel.Kind.ALTERNATIVE.value, main, t) for t in _lines(data["alt_labels"])]
        labels += [(TermLabel.Kind.HIDDEN.value, main, t) for t in _lines(data["hidden_labels"])]
        labels += [(TermLabel.Kind.PREFERRED.value, lang, t) for lang, t in data["translations"]]
        if self.term is not None:
            labels += [(lb.kind, lb.language, lb.text) for lb in self.term.labels.all()
                       if lb.language != main and lb.kind != TermLabel.Kind.PREFERRED]
        return labels


class MoveForm(forms.Form):
    broader = TermMultipleChoiceField(queryset=Term.objects.none(), required=False,
                                      help_text="The new broader terms; none makes it a top term.")

    def __init__(self, *args: Any, term: Term, **kwargs: Any):
        kwargs.setdefault("initial", {"broader": list(term.broader.all())})
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["broader"]).queryset = Term.objects.filter(
            vocabulary=term.vocabulary, status=Term.Status.ACTIVE).exclude(pk=term.pk)
        set_vocabulary(self, term.vocabulary_id, "broader")


class MergeForm(forms.Form):
    target = TermChoiceField(queryset=Term.objects.none(), label="Merge into",
                             help_text="This term's assets move there and its labels become synonyms there. "
                                       "This term stays, deprecated, pointing to it.")

    def __init__(self, *args: Any, term: Term, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["target"]).queryset = Term.objects.filter(
            vocabulary=term.vocabulary, status=Term.Status.ACTIVE).exclude(pk=term.pk)
        set_vocabulary(self, term.vocabulary_id, "target")


class DeprecateForm(forms.Form):
    replacement = TermChoiceField(queryset=Term.objects.none(), required=False, label="Use instead")
    retag = forms.BooleanField(required=False, initial=True, label="Re-tag its assets with the replacement",
                               help_text="Unticked, the assets keep the deprecated term and are listed on its page "
                                         "for review.")

    def __init__(self, *args: Any, term: Term, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["replacement"]).queryset = Term.objects.filter(
            vocabulary=term.vocabulary, status=Term.Status.ACTIVE).exclude(pk=term.pk)
        set_vocabulary(self, term.vocabulary_id, "replacement")


class ImportForm(forms.Form):
    file = forms.FileField(help_text="SKOS as Turtle (.ttl), RDF/XML (.rdf, .xml), N-Triples (.nt) or JSON-LD "
                                     "(.jsonld), gzip-compressed (.gz) or not, or a CSV of terms. A newer release "
                                     "of a vocabulary already here updates it in place.")
    external = forms.ChoiceField(choices=[("keep", "Keep as external links"), ("drop", "Drop")],
                                 label="References to concepts outside the file and the DAM")
    dry_run = forms.BooleanField(required=False, label="Preview only: report what would change, change nothing")
    remove_missing = forms.BooleanField(
        required=False, label="This file is a whole release: remove terms it no longer has",
        help_text="Terms that assets use are deprecated instead of deleted.")
    scheme_uri = forms.URLField(required=False, label="Vocabulary URI (CSV, or a file without a concept scheme)")
    title = forms.CharField(required=False, label="Vocabulary title (CSV, or a file without a concept scheme)")
    language = forms.CharField(required=False, initial="en", label="Main language (with the URI above)")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is not None and upload.name.lower().endswith(".csv") and not cleaned.get("scheme_uri"):
            self.add_error("scheme_uri", "A CSV file needs the URI of the vocabulary it fills.")
        return cleaned


# --- the metadata schema, naming rules and term proposals ------------------------------------

def _folders() -> Any:
    """The folders a schema field or naming rule may be limited to, in tree order. The folder model is the
    assets app's, above this one: it is reached through the relation that names it, not imported."""
    folder_model = cast(Any, NamingRule._meta.get_field("collection")).related_model
    return folder_model._default_manager.order_by("path")


class MetadataFieldForm(forms.ModelForm):
    choices = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              help_text="Choice fields: one choice per line.")
    asset_types = forms.MultipleChoiceField(choices=AssetType.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple,
                                            help_text="None ticked: every asset type.")
    collections = TreeMultipleChoiceField(queryset=_folders(), required=False,
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
    vocabulary = forms.ModelChoiceField(queryset=Vocabulary.objects.all(), label="Vocabulary")
    label = forms.CharField(max_length=300, required=False, label="Label",
                            help_text="Leave empty to use the proposed wording.")
    broader = TermChoiceField(queryset=Term.objects.filter(status=Term.Status.ACTIVE), required=False,
                              label="Under", help_text="Optional: the broader term; type part of its label.")


class MapProposalsForm(forms.Form):
    term = TermChoiceField(queryset=Term.objects.filter(status=Term.Status.ACTIVE), label="Term",
                           error_messages={"required": "Type part of a label and choose the term from the list.",
                                           "invalid_choice": "Choose an active term from the list."})
    note = forms.CharField(max_length=1000, required=False)


class NamingRuleForm(forms.Form):
    pattern = forms.CharField(max_length=200, help_text="Placeholders: {campaign} {type} {title} {collection} "
                                                        "{version} {uid} {date:%Y%m%d} and any schema field key.")
    collection = TreeChoiceField(queryset=_folders(), required=False,
                                       empty_label="(by asset type instead)")
    asset_type = forms.ChoiceField(choices=[("", "(by collection instead)"), *AssetType.choices], required=False)
