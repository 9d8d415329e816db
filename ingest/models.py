"""Upload batches and the outcome of every file sent in one.

The tables kept the names they had when ingest was part of the assets app (db_table).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from assets.models import Asset, AssetVersion, Collection


class OnDuplicate(models.TextChoices):
    """What to do with a file whose exact bytes are already in the DAM."""

    REPORT = "report", "Report it as a duplicate"
    NEW_VERSION = "new_version", "Add it as a new revision of the existing asset"
    KEEP_BOTH = "keep_both", "Keep both as separate assets"


class IngestBatch(models.Model):
    """One upload session or import run; every file sent in it gets an IngestItem."""

    class Source(models.TextChoices):
        UPLOAD = "upload", "Upload page"
        API = "api", "API"
        IMPORT = "import", "import_assets command"
        DRIVE = "drive", "WebDAV drive"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="ingest_batches")
    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="ingest_batches")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UPLOAD)
    on_duplicate = models.CharField(max_length=12, choices=OnDuplicate.choices, default=OnDuplicate.REPORT)
    # What the uploader said once for every file (ingest.describe): title pattern, description, terms, rights,
    # campaign, schema values; applied to each file the batch creates.
    fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "assets_ingestbatch"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Batch {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("ingest:batch_detail", args=[self.pk])


class IngestItem(models.Model):
    """The outcome for one file of a batch: created, a new revision, a duplicate, or rejected with a reason."""

    class Outcome(models.TextChoices):
        CREATED = "created", "Created"
        NEW_VERSION = "new_version", "Added as a new revision"
        DUPLICATE = "duplicate", "Duplicate"
        REJECTED = "rejected", "Rejected"

    batch = models.ForeignKey(IngestBatch, on_delete=models.CASCADE, related_name="items")
    filename = models.CharField(max_length=255)
    # For a file that came out of an archive: the archive's name and the entry's path inside it.
    archive = models.CharField(max_length=255, blank=True)
    entry = models.CharField(max_length=1024, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    asset = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.ForeignKey(AssetVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    duplicate_of = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "assets_ingestitem"
        ordering = ["batch", "id"]
        indexes = [models.Index(fields=["batch", "outcome"], name="ingestitem_batch_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.filename}: {self.outcome}"


class ArchiveUnpacking(models.Model):
    """An archive with more files than its uploader should wait for: stored, then unpacked by background jobs.

    Each job unpacks for a while and counts the entries it handled in `done`, so the next job goes
    on where it stopped and the batch report shows how far it got.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to be unpacked"
        UNPACKING = "unpacking", "Unpacking"
        DONE = "done", "Unpacked"
        FAILED = "failed", "Failed"

    batch = models.ForeignKey(IngestBatch, on_delete=models.CASCADE, related_name="unpackings")
    filename = models.CharField(max_length=255)
    # Where the archive waits in storage until it is unpacked; emptied when it is done.
    key = models.CharField(max_length=255, blank=True)
    mime_type = models.CharField(max_length=127)
    entries = models.PositiveIntegerField(help_text="Files in the archive, from its directory.")
    done = models.PositiveIntegerField(default=0, help_text="Entries handled so far.")
    # The fields and manifest sent with the archive, applied to its files as the upload would have.
    fields = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "id"]

    def __str__(self) -> str:
        return f"{self.filename}: {self.done} of {self.entries}"

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.entries)) if self.entries else 100

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.UNPACKING)
