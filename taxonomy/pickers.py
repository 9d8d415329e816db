"""Term pickers: the one way a form chooses terms, by typing any label and picking from suggestions.

Every form that picks terms (asset edit, bulk edit, term edit, move, merge, deprecate, the proposal queue,
advanced search, reports) uses these widgets, so the keyboard and screen-reader behaviour lives in one
script (static/js/termpicker.js) over one endpoint (taxonomy:autocomplete). The widgets never list every
term in the page: a vocabulary of thousands would make a listbox nobody can use and a page nobody can load.
"""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from taxonomy.models import Term, normalize_label
from taxonomy.selectors import paths_for


class _PickerMixin:
    """What both pickers share: the chosen terms with their paths, and the autocomplete's address."""

    template_name = "taxonomy/widgets/term_picker.html"
    multiple = False
    # Set by a form to narrow the suggestions to one vocabulary (the field's queryset still decides).
    vocabulary: int | None = None
    placeholder = "Type a label, synonym or translation…"

    def picker_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        values = value if isinstance(value, list | tuple) else [value]
        ids = [int(v) for v in values if str(v or "").isdigit()]
        terms = {t.pk: t for t in Term.objects.filter(pk__in=ids)}
        paths = paths_for(terms.values())
        attrs = {**getattr(self, "attrs", {}), **(attrs or {})}
        typed = "" if ids else next((str(v) for v in values if v and not str(v).isdigit()), "")
        return {
            "name": name, "id": attrs.get("id") or f"id_{name}", "multiple": self.multiple,
            "required": bool(attrs.get("required")), "typed": typed,
            "placeholder": attrs.get("placeholder") or self.placeholder,
            "chosen": [{"term": terms[i], "path": " › ".join(paths[i])} for i in ids if i in terms],
            "autocomplete_url": reverse("taxonomy:autocomplete"), "vocabulary": self.vocabulary,
        }

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        # The project's template engine (the default form renderer does not look in templates/); the template
        # autoescapes, so its output is safe to mark.
        context = self.picker_context(name, value, attrs)
        return mark_safe(render_to_string(self.template_name, context))  # noqa: S308


class TermsWidget(_PickerMixin, forms.SelectMultiple):
    """Several terms: chosen ones as removable chips, and a search box that suggests more."""

    multiple = True
    placeholder = "Add a term: type a label, synonym or translation…"


class TermWidget(_PickerMixin, forms.Select):
    """One term: a search box that suggests terms; the chosen term's id travels in a hidden input.

    Without the script (or when the person typed a whole label and pressed Enter), the typed text is sent as
    `<name>_text` and `TermChoiceField` looks the term up by that label.
    """

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name) or data.get(f"{name}_text", "").strip() or None


def term_by_label(queryset: QuerySet[Term], text: str) -> Term:
    """The one term of `queryset` one of whose labels is `text` (any case, accents or language)."""
    found = list(queryset.filter(labels__normalized=normalize_label(text)).distinct()[:2])
    if not found:
        raise forms.ValidationError(f"No term is called “{text}”. Type part of a label and choose from the list.")
    if len(found) > 1:
        raise forms.ValidationError(f"“{text}” is a label of several terms; choose the one you mean from the list.")
    return found[0]


class TermChoiceField(forms.ModelChoiceField):
    """One term, picked by typing; a typed label that names exactly one allowed term is taken as that term."""

    widget = TermWidget

    def label_from_instance(self, obj: Term) -> str:
        return obj.label

    def to_python(self, value: Any) -> Term | None:
        text = value.strip() if isinstance(value, str) else ""
        if text and not text.isdigit():
            # API clients and old forms send a URI; people send a label.
            queryset = cast(QuerySet[Term], self.queryset)
            by_uri = queryset.filter(uri=text).first() if "://" in text else None
            return by_uri or term_by_label(queryset, text)
        return super().to_python(value)


class TermURIField(TermChoiceField):
    """One term, kept as its URI: how a metadata-schema field of type term stores its value.

    The form shows the stored URI as its term (label and path) and gives back the chosen term's URI, so the
    schema check (taxonomy.schema) sees what the API sends too.
    """

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str) and "://" in value:
            queryset = cast(QuerySet[Term], self.queryset)
            found = queryset.filter(uri=value).values_list("pk", flat=True).first()
            return value if found is None else found
        return super().prepare_value(value)

    def clean(self, value: Any) -> str:
        term = super().clean(value)
        return term.uri if term else ""


class TermMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several terms, picked by typing."""

    widget = TermsWidget

    def label_from_instance(self, obj: Term) -> str:
        return obj.label


def set_vocabulary(form: forms.Form, vocabulary_id: int | None, *names: str) -> None:
    """Narrow the suggestions of these picker fields to one vocabulary."""
    for name in names:
        widget = form.fields[name].widget
        if isinstance(widget, _PickerMixin):
            widget.vocabulary = vocabulary_id

