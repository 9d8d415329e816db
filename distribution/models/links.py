from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class ShareLink(models.Model):
    """A public link to approved assets, for people without an account.

    The token is the credential; it is stored as is (unlike API tokens) because
    the person who made the link must be able to copy it again, and it is
    revocable, expiring and limited to approved, live assets.
    """

    token = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=200, blank=True)
    assets = models.ManyToManyField("assets.Asset", related_name="share_links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    password_hash = models.CharField(max_length=128, blank=True)
    max_downloads = models.PositiveIntegerField(null=True, blank=True)
    download_count = models.PositiveIntegerField(default=0)
    renditions = models.JSONField(default=list, help_text="What may be downloaded: web, preview, thumb, original.")
    # Originals leave through the link without their location (GPS, place names) unless its maker chose
    # to keep it (recorded in the audit trail): distribution.location.
    keep_location = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title or f"Share link {self.token[:6]}…"

    def get_absolute_url(self) -> str:
        return reverse("share", args=[self.token])


class DownloadEvent(models.Model):
    """One download of an original or rendition: the data behind usage analytics."""

    asset = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="download_events")
    version = models.ForeignKey("assets.AssetVersion", null=True, on_delete=models.SET_NULL, related_name="+")
    rendition = models.CharField(max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    share_link = models.ForeignKey(ShareLink, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="download_events")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["asset", "-created_at"], name="download_asset_recent_idx")]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.rendition} {self.created_at:%Y-%m-%d %H:%M}"
