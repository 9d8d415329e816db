"""The move of an asset's originals between the primary storage and the archive tier."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from assets.models import StorageTier


class TierMove(models.Model):
    """One per asset: the latest move of its originals (archive.tier.services), and how it went.

    Where each original *is* lives on AssetVersion.storage_tier; this row is the job's state: where the
    originals should go (`target`), whether a job is on it (`holder`, a lease), and why it failed.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        MOVING = "moving", "Moving"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    asset = models.OneToOneField("assets.Asset", on_delete=models.CASCADE, related_name="tier_move")
    target = models.CharField(max_length=10, choices=StorageTier.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    reason = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # The job that works on it: a token and when it claimed it. A claim older than the job's timeout
    # belongs to a worker that died; the resume schedule takes it over.
    holder = models.CharField(max_length=32, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        indexes = [models.Index(fields=["state", "started_at"], name="tiermove_state_started_idx")]

    def __str__(self) -> str:
        return f"{self.asset_id} → {self.target} ({self.state})"
