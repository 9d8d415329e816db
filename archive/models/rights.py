"""Rights records kept beside an asset: release documents on file, and the expiry notices already sent."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


def release_upload_to(instance: ReleaseDocument, filename: str) -> str:
    # As with originals, the key never contains the uploader's file name (kept apart for the download).
    key = uuid.uuid4().hex
    return f"releases/{key[:2]}/{key}"


class ReleaseDocument(models.Model):
    """A signed model or property release, kept as a file related to the asset it covers."""

    class Kind(models.TextChoices):
        MODEL = "model", "Model release"
        PROPERTY = "property", "Property release"

    asset = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="release_documents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=release_upload_to, max_length=255)
    original_filename = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=127)
    size = models.BigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-uploaded_at"]
        indexes = [models.Index(fields=["asset", "kind"], name="release_asset_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_filename}"


class RightsNotice(models.Model):
    """One notice the daily rights job sent: a reminder `days` before an expiry, or the expiry itself (days=0).

    Keyed by the expiry date it was about, so a second run sends nothing and a renewed expiry
    (a different date) starts its reminders afresh.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder before expiry"
        EXPIRED = "expired", "Expired"

    asset = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="rights_notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    days = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()
    action = models.CharField(max_length=10, blank=True, help_text="What was done at expiry (hide, archive, notify).")
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["asset", "kind", "days", "expires_at"],
                                               name="rights_notice_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.days} days) for asset {self.asset_id}"
