"""Outside systems the DAM pushes approved assets into (Postiz, WordPress), and where each version went."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class Connection(models.Model):
    """A Postiz or a WordPress the DAM pushes to, set up by an admin.

    The secret (a Postiz API key, or WordPress's "user:application password") is sealed with a key derived
    from SECRET_KEY (distribution.outbound.seal): the pushes must read it back, no page or answer ever shows it.
    """

    class Kind(models.TextChoices):
        POSTIZ = "postiz", "Postiz"
        WORDPRESS = "wordpress", "WordPress"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=100, unique=True)
    base_url = models.URLField(max_length=500, help_text="Postiz: its backend's address (…/api); WordPress: the site.")
    secret_sealed = models.TextField(blank=True)
    # Empty: every collection. Otherwise these folders (and their subfolders) only.
    collections = models.ManyToManyField("assets.Collection", blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The outcome of the last "Test connection", in a sentence.
    last_test = models.CharField(max_length=500, blank=True)
    last_test_ok = models.BooleanField(null=True)
    last_tested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("connections:detail", args=[self.pk])


class Usage(models.Model):
    """Where one version of an asset went: a push to a connection, a picker choice, a share link, or a delivery
    URL fetched from an outside site. Its state says whether that place still shows the current version."""

    class System(models.TextChoices):
        POSTIZ = "postiz", "Postiz"
        WORDPRESS = "wordpress", "WordPress"
        PICKER = "picker", "Picker"
        SHARE = "share", "Share link"
        DELIVERY = "delivery", "Delivery URL"

    class State(models.TextChoices):
        QUEUED = "queued", "Being sent"
        PUSHED = "pushed", "In place"
        FAILED = "failed", "Failed"
        OUTDATED = "outdated", "Outdated"

    asset = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="usages")
    version = models.ForeignKey("assets.AssetVersion", on_delete=models.CASCADE, related_name="usages")
    system = models.CharField(max_length=16, choices=System.choices)
    connection = models.ForeignKey(Connection, null=True, blank=True, on_delete=models.SET_NULL, related_name="usages")
    share_link = models.ForeignKey("distribution.ShareLink", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="usages")
    integration = models.ForeignKey("distribution.Integration", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="usages")
    # Postiz: the channel (integration id) the draft is for, and its name as Postiz gave it.
    channel = models.CharField(max_length=100, blank=True)
    channel_name = models.CharField(max_length=200, blank=True)
    preset = models.CharField(max_length=64, blank=True)
    text = models.TextField(blank=True, help_text="The caption sent with a Postiz draft.")
    remote_id = models.CharField(max_length=200, blank=True)
    remote_url = models.URLField(max_length=2000, blank=True)
    # What was actually sent: {"name", "format", "size", "width", "height", "converted": reason}.
    sent = models.JSONField(default=dict, blank=True)
    # What a retried job must not do twice: {"media": {"id", "path"}} once Postiz or WordPress took the file.
    progress = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    reason = models.CharField(max_length=1000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    outdated_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a push waiting on the target (a 429, a 5xx) is tried again; also how long a job holds it.
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["asset", "state"], name="usage_asset_state_idx")]
        constraints = [
            # A delivery URL or share link used from one outside place is one usage, however often it is fetched.
            models.UniqueConstraint(fields=["version", "system", "remote_url"],
                                    condition=models.Q(system__in=["delivery", "share"]),
                                    name="usage_one_per_place"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} v{self.version_id} {self.system} {self.state}"

    @property
    def place(self) -> str:
        """Where it is, in a few words."""
        if self.connection_id is not None and self.connection is not None:
            name = self.connection.name
            return f"{name} · {self.channel_name}" if self.channel_name else name
        if self.integration_id is not None and self.integration is not None:
            return f"{self.get_system_display()} · {self.integration.name}"
        return self.remote_url or self.get_system_display()
