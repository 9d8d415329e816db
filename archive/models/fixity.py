"""Fixity: each run over the stored originals, what it found, and each version's last check."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

# A running run whose heartbeat is older than this was cut off (its worker died or was killed).
STALE = timedelta(minutes=30)


class FixityRun(models.Model):
    """One reading of the stored originals (archive.fixity.services): who or what started it, its scope,
    how far it got and how it ended. A run that could not read everything it should have ends
    `incomplete`, never `complete`."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETE = "complete", "Complete"
        INCOMPLETE = "incomplete", "Incomplete"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Weekly schedule"
        COMMAND = "command", "Command line"
        PERSON = "person", "Started by a person"

    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.RUNNING, db_index=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # Scope: a folder (and everything under it), and/or the N least recently checked originals.
    collection = models.ForeignKey("assets.Collection", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    sample = models.PositiveIntegerField(null=True, blank=True)
    # Whole store: every version, and the originals area listed for untracked objects.
    everything = models.BooleanField(default=True)
    scope = models.CharField(max_length=300, help_text="The scope in words, kept if the folder is deleted.")
    checked = models.PositiveIntegerField(default=0, help_text="Originals read and compared.")
    bytes_read = models.BigIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)
    untracked = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the run is incomplete, in a sentence.")
    # A full run goes through the versions by id; the last one done, so a run can go on in a next job.
    cursor = models.BigIntegerField(default=0)
    # Moved on by every check: a running run whose heartbeat stopped long ago was cut off (its worker died).
    heartbeat_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"fixity run {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("fixity:run", args=[self.pk])

    @property
    def cut_off(self) -> bool:
        """Still marked running, but nothing has moved for a long time: its job died."""
        return self.state == self.State.RUNNING and self.heartbeat_at < timezone.now() - STALE

    @property
    def problems_count(self) -> int:
        return self.changed + self.missing + self.untracked


class FixityProblem(models.Model):
    """Something a run found wrong: an original whose bytes changed or that is gone, or a stored object
    in the originals area that no version owns."""

    class Kind(models.TextChoices):
        CHANGED = "changed", "Changed"
        MISSING = "missing", "Missing"
        UNTRACKED = "untracked", "Untracked"

    run = models.ForeignKey(FixityRun, on_delete=models.CASCADE, related_name="problems")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    version = models.ForeignKey("assets.AssetVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    key = models.CharField(max_length=255, help_text="The storage key.")
    expected = models.CharField(max_length=64, blank=True, help_text="SHA-256 recorded at ingest.")
    actual = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the stored bytes now.")

    class Meta:
        ordering = ["run", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"


class FixityCheck(models.Model):
    """The last check of one version's stored original: one row per version, so the asset page's
    "Last verified" is one indexed lookup, and sampling can pick the least recently checked."""

    class Outcome(models.TextChoices):
        OK = "ok", "Matches"
        CHANGED = "changed", "Changed"
        MISSING = "missing", "Missing"

    version = models.OneToOneField("assets.AssetVersion", on_delete=models.CASCADE, related_name="fixity")
    checked_at = models.DateTimeField(db_index=True)
    verified_at = models.DateTimeField(null=True, blank=True, help_text="Last time the bytes matched.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    run = models.ForeignKey(FixityRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.version_id}: {self.outcome} at {self.checked_at:%Y-%m-%d %H:%M}"
