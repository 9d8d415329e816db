"""Forms of the content-analysis screens: they parse input; services and selectors do the work."""
from __future__ import annotations

from typing import Any, cast

from django import forms

from analysis.analysers import registry
from analysis.models import TermSuggestion
from taxonomy.models import Term, Vocabulary
from taxonomy.pickers import TermChoiceField


class QueueFilterForm(forms.Form):
    """The librarian queue's filters (GET): which status, vocabulary and analyser."""

    status = forms.ChoiceField(choices=TermSuggestion.Status.choices, required=False,
                               initial=TermSuggestion.Status.PENDING)
    vocabulary = forms.ModelChoiceField(queryset=Vocabulary.objects.none(), required=False,
                                        empty_label="Every vocabulary")
    analyser = forms.ChoiceField(choices=[], required=False)

    def __init__(self, *args: Any, vocabularies: Any, titles: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["vocabulary"]).queryset = vocabularies
        cast(forms.ChoiceField, self.fields["analyser"]).choices = [("", "Every analyser")] + [
            (slug, titles.get(slug, slug)) for slug in registry.ANALYSERS]

    def values(self) -> dict[str, Any]:
        """The selector's keyword arguments; an invalid filter falls back to the whole pending queue."""
        data = self.cleaned_data if self.is_valid() else {}
        vocabulary = data.get("vocabulary")
        return {"status": data.get("status") or TermSuggestion.Status.PENDING,
                "vocabulary_id": vocabulary.pk if vocabulary else None, "analyser": data.get("analyser") or ""}


class MapForm(forms.Form):
    """"Map to another term": the term the raw label means."""

    term = TermChoiceField(queryset=Term.objects.filter(status=Term.Status.ACTIVE),
                           error_messages={"required": "Choose the term it means from the list.",
                                           "invalid_choice": "Choose an active term from the list."})
