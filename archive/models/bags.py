"""BagIt export jobs: who asked for which asset or collection, how far the job is, the finished file."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class BagExport(models.Model):
    """One request to package an asset or a collection as a BagIt bag (RFC 8493), zipped for download.

    The bag holds only what the requester could see when the job ran; the file is kept until
    `expires_at`, then removed by the hourly clean-up (archive.bags.tasks.bag_exports_expire_task).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being packaged"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    collection = models.ForeignKey("assets.Collection", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # What was asked for, in words, kept when the asset or folder is later removed.
    subject = models.CharField(max_length=300)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    done = models.PositiveIntegerField(default=0, help_text="Assets packaged so far.")
    total = models.PositiveIntegerField(default=0, help_text="Assets to package.")
    file = models.CharField(max_length=255, blank=True, help_text="Storage key of the finished zip.")
    size = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="bagexport_requester_idx")]

    def __str__(self) -> str:
        return f"BagIt export of {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("archive:bags:list") + f"#export-{self.pk}"

    @property
    def percent(self) -> int:
        if self.state == self.State.READY:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def download_name(self) -> str:
        return f"bag-{self.pk}-{self.created_at:%Y%m%d}.zip"
