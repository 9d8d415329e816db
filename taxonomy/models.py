"""The controlled vocabulary as SKOS: vocabularies are concept schemes, terms are concepts."""
from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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
    # Content analysis: a suggested term of this vocabulary whose confidence reaches this is put on the asset as
    # an automatic term; below it, the suggestion waits for a person. Empty: never applied automatically.
    auto_tag_threshold = models.FloatField(
        null=True, blank=True, default=0.8, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Suggestions from content analysis at or above this confidence (0-1) are applied as automatic "
                  "terms; the rest wait for review. Leave empty to review every suggestion.")
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
    # Notes beyond scope_note and definition in the vocabulary's language, as a file gave them, so an export
    # gives them back: {"scopeNote": [[language, text], ...], "note": [...], "example": [...], ...}.
    notes = models.JSONField(default=dict, blank=True)
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


# --- the metadata schema, naming rules and term proposals -------------------------------
# They apply to assets and folders, which live in the assets app above this one. They
# point at them by relation ("assets.Collection", "assets.Asset"), never by import: the
# code here reaches those models only through these relations, and the code that
# applies the schema to an asset takes the asset as an argument. Their tables kept the
# names they had when these models were part of assets (db_table).

class AssetType(models.TextChoices):
    """The kinds of asset; the schema and the naming rules are set per kind, and Asset.asset_type is one."""

    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"
    DOCUMENT = "document", "Document"
    OTHER = "other", "Other"


class MetadataField(models.Model):
    """One field of the metadata schema; values live in Asset.metadata under `key`."""

    class Type(models.TextChoices):
        TEXT = "text", "Text"
        LONG_TEXT = "long_text", "Long text"
        NUMBER = "number", "Number"
        DATE = "date", "Date"
        BOOLEAN = "boolean", "Yes / no"
        URL = "url", "URL"
        CHOICE = "choice", "Choice"
        TERM = "term", "Term from a vocabulary"

    key = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=120)
    field_type = models.CharField(max_length=10, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(default=list, blank=True)
    vocabulary = models.ForeignKey(Vocabulary, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    required = models.BooleanField(default=False)
    help_text = models.CharField(max_length=300, blank=True)
    # Empty means "every asset type" / "every collection"; a collection covers its sub-folders.
    asset_types = models.JSONField(default=list, blank=True)
    collections = models.ManyToManyField("assets.Collection", blank=True, related_name="+",
                                         db_table="assets_metadatafield_collections")
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "assets_metadatafield"
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.label


class TermProposal(models.Model):
    """A term someone wants in the vocabulary, for one asset; librarians accept, map or reject it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        MAPPED = "mapped", "Mapped to an existing term"
        REJECTED = "rejected", "Rejected"

    class Origin(models.TextChoices):
        PERSON = "person", "Proposed by a person"
        EMBEDDED = "embedded", "Embedded keyword"

    asset = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="term_proposals")
    vocabulary = models.ForeignKey(Vocabulary, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=300)
    language = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.PERSON)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    term = models.ForeignKey(Term, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "assets_termproposal"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label


class NamingRule(models.Model):
    """A filename convention for one collection (and its sub-folders) or one asset type."""

    pattern = models.CharField(max_length=200, help_text="e.g. {campaign}_{type}_{date:%Y%m%d}")
    collection = models.ForeignKey("assets.Collection", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+")
    asset_type = models.CharField(max_length=10, choices=AssetType.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "assets_namingrule"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.pattern


class VocabularyImport(models.Model):
    """A vocabulary file sent through the web: stored, then imported by a background job.

    The job records how far it got (`stage`, `done` of `total` concepts) while it reads the file, and at the
    end the report the import page shows (or the problems a refused file has). The terms themselves are
    written in one transaction, so a job that dies changes nothing.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Finished"
        REFUSED = "refused", "Refused"
        FAILED = "failed", "Failed"

    class Stage(models.TextChoices):
        PARSE = "parse", "Reading the file"
        READ = "read", "Checking concepts"
        WRITE = "write", "Writing terms"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    filename = models.CharField(max_length=255)
    # Where the file waits in storage until the job has read it; emptied when the job ends.
    key = models.CharField(max_length=255, blank=True)
    # What the form asked for: format, external, csv_scheme, remove_missing.
    options = models.JSONField(default=dict, blank=True)
    dry_run = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    stage = models.CharField(max_length=10, choices=Stage.choices, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("taxonomy:import_job", args=[self.pk])

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0
