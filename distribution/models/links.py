from __future__ import annotations

import uuid

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
    description = models.TextField(blank=True, help_text="Shown on the link's page.")
    assets = models.ManyToManyField("assets.Asset", related_name="share_links")
    # Links made together (one per recipient) share a batch; `recipient` is whom this token was sent to.
    batch = models.UUIDField(default=uuid.uuid4, db_index=True, editable=False)
    recipient = models.EmailField(blank=True)
    lightbox = models.ForeignKey("distribution.Lightbox", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="share_links", help_text="The lightbox it was made from, if any.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    password_hash = models.CharField(max_length=128, blank=True)
    max_downloads = models.PositiveIntegerField(null=True, blank=True)
    download_count = models.PositiveIntegerField(default=0)
    presets = models.JSONField(default=list, help_text="The download presets it offers, by name.")
    watermark = models.ForeignKey("distribution.Watermark", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="share_links", help_text="Laid over every picture it hands out.")
    # Originals leave through the link without their location (GPS, place names) unless its maker chose
    # to keep it (recorded in the audit trail): distribution.location.
    keep_location = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        name = self.title or f"Share link {self.token[:6]}…"
        return f"{name} ({self.recipient})" if self.recipient else name

    def get_absolute_url(self) -> str:
        return reverse("share", args=[self.token])


class ShareLinkOpen(models.Model):
    """One opening of a share link's page: the opens of its analytics, over time."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="opens")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.link_id} opened {self.created_at:%Y-%m-%d %H:%M}"


class DownloadEvent(models.Model):
    """One download or delivery of an original, rendition or preset: the data behind usage analytics."""

    class Channel(models.TextChoices):
        WEB = "web", "Web page"
        API = "api", "API"
        SHARE = "share", "Share link"
        DELIVERY = "delivery", "Delivery URL"
        ZIP = "zip", "Zip download"

    asset = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="download_events")
    version = models.ForeignKey("assets.AssetVersion", null=True, on_delete=models.SET_NULL, related_name="+")
    rendition = models.CharField(max_length=64, help_text="What was sent: original, a rendition or a preset's name.")
    preset = models.CharField(max_length=64, blank=True, help_text="The download preset asked for, if any.")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    integration = models.ForeignKey("distribution.Integration", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="download_events")
    recipient = models.CharField(max_length=254, blank=True, help_text="The share link's recipient, if it had one.")
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
