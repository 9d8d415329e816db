"""Webhook subscriptions and their deliveries."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class WebhookEvent(models.TextChoices):
    """What a subscription may ask to hear about; the name is sent as `event` and `X-DAM-Event`."""

    ASSET_CREATED = "asset.created", "An asset was created"
    ASSET_UPDATED = "asset.updated", "An asset's description was edited"
    VERSION_SUBMITTED = "version.submitted", "A revision was submitted for review"
    VERSION_APPROVED = "version.approved", "A revision was approved"
    VERSION_REJECTED = "version.rejected", "A revision was rejected"
    ASSET_ARCHIVED = "asset.archived", "An asset was archived"
    ASSET_RESTORED = "asset.restored", "An asset was restored from the archive"
    RIGHTS_EXPIRING = "rights.expiring", "An asset's usage rights expire soon"
    RIGHTS_EXPIRED = "rights.expired", "An asset's usage rights expired"
    SHARE_LINK_DOWNLOADED = "share_link.downloaded", "Someone downloaded through a share link"
    USAGE_OUTDATED = "usage.outdated", "A pushed copy of an asset is outdated"


# Sent only on request ("Send a test event"), whatever the subscription's events.
PING_EVENT = "ping"


class Webhook(models.Model):
    """An outside address that is sent a signed JSON POST for each event it subscribed to."""

    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list, help_text="WebhookEvent values.")
    active = models.BooleanField(default=True)
    # The signing secret, encrypted with a key derived from SECRET_KEY (distribution.outbound.seal): it must be
    # read back to sign, unlike a password, and is shown to the admin only in the answer that created it.
    secret_sealed = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        return reverse("webhooks:detail", args=[self.pk])


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one subscription, with every attempt's outcome.

    Written in the transaction of the action that caused the event, so a rolled-back action leaves none,
    and a committed one is sent even when its job is lost (distribution.webhooks.delivery).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=64)
    payload = models.JSONField(help_text="The body sent: id, event, created_at, data.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The last attempt's HTTP status.")
    error = models.CharField(max_length=500, blank=True, help_text="Why the last attempt failed, in a sentence.")
    duration_ms = models.PositiveIntegerField(null=True, blank=True, help_text="How long the last attempt took.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When a pending delivery is due: its next try, or how long an attempt in progress holds it.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    redelivery_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["webhook", "-created_at"], name="webhook_delivery_recent_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
        ]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id} ({self.status})"
