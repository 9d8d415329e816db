"""Retention: rules that archive or bin assets, legal holds that stop them, and the bin before a purge."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from assets.models import ReviewState
from taxonomy.models import AssetType


class RetentionRule(models.Model):
    """Which assets to take out of use, and how: archive them, or move them to the bin.

    Every condition left empty matches everything; the conditions that are set must all hold.
    A rule acts only once enabled, and enabling it shows what it would do first (its dry run).
    """

    class Action(models.TextChoices):
        ARCHIVE = "archive", "Archive"
        BIN = "bin", "Move to the bin"

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    collection = models.ForeignKey("assets.Collection", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+", help_text="With its sub-folders. Empty: every folder.")
    asset_type = models.CharField(max_length=10, choices=AssetType.choices, blank=True)
    review_state = models.CharField(max_length=20, choices=ReviewState.choices, blank=True,
                                    help_text="Review state of the asset's current revision.")
    older_than_days = models.PositiveIntegerField(null=True, blank=True, help_text="Days since it was uploaded.")
    not_downloaded_days = models.PositiveIntegerField(null=True, blank=True)
    archived_for_days = models.PositiveIntegerField(null=True, blank=True)
    terms = models.ManyToManyField("taxonomy.Term", blank=True, related_name="+",
                                   help_text="The asset carries at least one of these terms.")
    enabled = models.BooleanField(default=False)
    # How many assets the dry run listed when an admin confirmed a rule over the threshold: the
    # scheduled run will not act on (many) more than that without a new confirmation.
    confirmed_count = models.PositiveIntegerField(null=True, blank=True)
    enabled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    enabled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("archive:retention:dry_run", args=[self.pk])


class RetentionRun(models.Model):
    """One application of a rule: what it did and what it skipped, and why."""

    rule = models.ForeignKey(RetentionRule, null=True, on_delete=models.SET_NULL, related_name="runs")
    rule_name = models.CharField(max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    acted = models.PositiveIntegerField(default=0)
    # [{"uid", "title", "reason"}]: held, in review, or changed since the plan was read.
    skipped = models.JSONField(default=list, blank=True)
    # Why the run did nothing at all (its matches grew past what was confirmed), else "".
    refused = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.rule_name} {self.started_at:%Y-%m-%d %H:%M}"


class LegalHold(models.Model):
    """A hold on one asset, or on a folder and everything under it: no rule and no purge touches it."""

    asset = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="legal_holds")
    collection = models.ForeignKey("assets.Collection", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="legal_holds")
    reason = models.CharField(max_length=500)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lift_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(asset__isnull=False, collection__isnull=True)
                           | models.Q(asset__isnull=True, collection__isnull=False)),
                name="legalhold_on_asset_or_collection"),
        ]

    def __str__(self) -> str:
        return f"Legal hold on {self.asset or self.collection}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class BinEntry(models.Model):
    """Why and when an asset went into the bin, and when it will be purged for good."""

    asset = models.OneToOneField("assets.Asset", on_delete=models.CASCADE, related_name="bin_entry")
    binned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    rule = models.ForeignKey(RetentionRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    binned_at = models.DateTimeField()
    purge_after = models.DateTimeField(db_index=True)
    # What archived_at was before the bin set it, so restoring brings the asset back exactly as it was.
    archived_before = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["purge_after", "id"]

    def __str__(self) -> str:
        return f"{self.asset} in the bin"
