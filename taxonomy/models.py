"""The controlled vocabulary as SKOS: vocabularies are concept schemes, terms are concepts."""
from __future__ import annotations

import unicodedata

from django.db import models
from django.urls import reverse


def normalize_label(text: str) -> str:
    """Case- and accent-insensitive form of a label, for matching and lookups."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


class Vocabulary(models.Model):
    """A skos:ConceptScheme."""

    uri = models.URLField(max_length=500, unique=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    # The main language: the title's, the notes', and the one Term.label is taken from.
    language = models.CharField(max_length=20, default="en", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "vocabularies"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("taxonomy:vocabulary", args=[self.pk])


class Term(models.Model):
    """A skos:Concept. Its labels (preferred, alternative, hidden; per language) are TermLabel rows."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DEPRECATED = "deprecated", "Deprecated"

    vocabulary = models.ForeignKey(Vocabulary, on_delete=models.CASCADE, related_name="terms")
    uri = models.URLField(max_length=500, unique=True)
    # The preferred label in the vocabulary's main language, kept here for sorting and display.
    label = models.CharField(max_length=300, db_index=True)
    notation = models.CharField(max_length=100, blank=True)
    scope_note = models.TextField(blank=True)
    definition = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="replaces")
    # skos:broader; a term may have several broader terms (polyhierarchy).
    broader = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="narrower")
    related = models.ManyToManyField("self", symmetrical=True, blank=True)
    # References to concepts that are not in the DAM, kept as URIs so an export gives them back:
    # {"broader": [uri, ...], "related": [...], "exactMatch": [...], "closeMatch": [...], ...}.
    external_links = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("taxonomy:term", args=[self.pk])

    @property
    def is_deprecated(self) -> bool:
        return self.status == self.Status.DEPRECATED


class TermLabel(models.Model):
    """One label of a term: skos:prefLabel, altLabel (synonym) or hiddenLabel (misspelling), per language."""

    class Kind(models.TextChoices):
        PREFERRED = "pref", "Preferred"
        ALTERNATIVE = "alt", "Alternative"
        HIDDEN = "hidden", "Hidden"

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="labels")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    language = models.CharField(max_length=20, blank=True)
    text = models.CharField(max_length=300)
    normalized = models.CharField(max_length=300, db_index=True, editable=False)

    class Meta:
        ordering = ["term", "kind", "language", "text"]
        constraints = [
            models.UniqueConstraint(fields=["term", "kind", "language", "text"], name="termlabel_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.text}@{self.language}" if self.language else self.text
