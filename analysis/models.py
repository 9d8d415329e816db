"""What content analysis found, per version and analyser, and what it suggests for the asset."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from assets.models import Asset, AssetVersion


class AnalysisRun(models.Model):
    """One analyser over one version: the record the issue asks for (which analyser, which model and version,
    when, how long, the result), and the job's progress while it runs. One row per (version, analyser)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"
        UNAVAILABLE = "unavailable", "Unavailable"

    version = models.ForeignKey(AssetVersion, on_delete=models.CASCADE, related_name="analysis_runs")
    analyser = models.CharField(max_length=20)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    # Why it was skipped, failed or unavailable, as a sentence people read.
    reason = models.TextField(blank=True)
    model_name = models.CharField(max_length=200, blank=True)
    model_version = models.CharField(max_length=100, blank=True)
    model_sha256 = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # "host:pid" of the worker running it, so a worker's death can be traced to its run (dam.jobs hooks).
    worker = models.CharField(max_length=100, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # The result: raw labels [{"text", "confidence"}], the text read or heard, and the analyser's own data.
    labels = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "analyser"], name="analysisrun_unique")]
        indexes = [models.Index(fields=["status", "started_at"], name="analysisrun_status_idx")]

    def __str__(self) -> str:
        return f"{self.analyser} on version {self.version_id}: {self.status}"


class AnalyserState(models.Model):
    """Whether an analyser could be loaded, as the last worker that tried found it (web processes never load
    models, so the settings page shows this), with the model it loaded."""

    analyser = models.CharField(max_length=20, primary_key=True)
    available = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    model_name = models.CharField(max_length=200, blank=True)
    model_version = models.CharField(max_length=100, blank=True)
    licence = models.CharField(max_length=100, blank=True)
    checked_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.analyser}: {'available' if self.available else 'unavailable'}"


class TermSuggestion(models.Model):
    """A vocabulary term content analysis proposes for an asset, with the raw label it came from.

    Applied (put on the asset as an automatic term) when its confidence reaches the vocabulary's threshold;
    otherwise pending until a person accepts, rejects or maps it. A decided suggestion stays, so analysing a
    new version never asks again about a term someone rejected.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPLIED = "applied", "Applied automatically"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    class Match(models.TextChoices):
        LABEL = "label", "Same label"
        MEANING = "meaning", "Similar meaning"
        LEARNT = "learnt", "Mapped by a librarian"

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="term_suggestions")
    version = models.ForeignKey(AssetVersion, null=True, on_delete=models.SET_NULL, related_name="+")
    term = models.ForeignKey("taxonomy.Term", on_delete=models.CASCADE, related_name="+")
    analyser = models.CharField(max_length=20)
    raw_label = models.CharField(max_length=300)
    match = models.CharField(max_length=8, choices=Match.choices, default=Match.LABEL)
    confidence = models.FloatField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["asset", "term"], name="termsuggestion_unique")]
        # The librarian's queue: pending suggestions grouped by term.
        indexes = [models.Index(fields=["status", "term"], name="termsuggestion_queue_idx")]

    def __str__(self) -> str:
        return f"{self.term_id} for {self.asset_id} ({self.status})"


class LabelMapping(models.Model):
    """A librarian's answer "this raw label means that term": later analyses map the label straight to it."""

    normalized_label = models.CharField(max_length=300, unique=True)
    term = models.ForeignKey("taxonomy.Term", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.normalized_label} → {self.term_id}"


class ProductMatch(models.Model):
    """A barcode read in one asset's file whose value is another asset's product code (SKU, GTIN):
    the lifestyle photo linked to the product it shows."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="product_matches")
    version = models.ForeignKey(AssetVersion, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=200)
    code_format = models.CharField(max_length=40)
    field_key = models.CharField(max_length=60)
    product = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="seen_in")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["asset", "product", "code"], name="productmatch_unique")]

    def __str__(self) -> str:
        return f"{self.asset_id} shows {self.product_id} ({self.code})"
