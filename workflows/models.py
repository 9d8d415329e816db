"""Approval policies, reviews and their decisions, comments, check-out locks and notifications."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from assets.models import Asset, AssetVersion, Collection
from taxonomy.models import AssetType


class ApprovalPolicy(models.Model):
    """Who signs a revision off, in which order: a collection's policy, else its asset type's, else the default."""

    name = models.CharField(max_length=200)
    collection = models.OneToOneField(Collection, null=True, blank=True, on_delete=models.CASCADE,
                                      related_name="approval_policy")
    asset_type = models.CharField(max_length=10, choices=AssetType.choices, blank=True)
    is_default = models.BooleanField(default=False)
    # Four eyes: by default one person signs at most one step of a review, admins included. A policy may
    # say otherwise explicitly (a small team where one brand manager is also the only editor).
    same_person_may_sign_several_steps = models.BooleanField(
        default=False, help_text="Allow one person to approve more than one step of the same review.")

    class Meta:
        verbose_name_plural = "approval policies"
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                    name="approvalpolicy_one_default"),
            # A policy with no folder and no type covers nothing (the default once replaced): not a type's.
            models.UniqueConstraint(fields=["asset_type"], condition=models.Q(collection__isnull=True,
                                                                              is_default=False)
                                    & ~models.Q(asset_type=""),
                                    name="approvalpolicy_one_per_type"),
        ]

    def __str__(self) -> str:
        return self.name


class ApprovalStep(models.Model):
    """One step of a policy: `approvals_required` members of `group` must approve before the next step opens."""

    policy = models.ForeignKey(ApprovalPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    group = models.ForeignKey("auth.Group", on_delete=models.PROTECT, related_name="+")
    approvals_required = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["policy", "position"]
        constraints = [models.UniqueConstraint(fields=["policy", "position"], name="approvalstep_unique_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class ReviewQuerySet(models.QuerySet["Review"]):
    def open(self) -> ReviewQuerySet:
        return self.filter(outcome=Review.Outcome.OPEN)


class Review(models.Model):
    """One submission of one revision, followed step by step through its policy.

    Submitting and resubmitting each start a new Review, so every round keeps
    its own decisions; a closed review is never reopened.
    """

    class Outcome(models.TextChoices):
        OPEN = "open", "Open"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    version = models.ForeignKey(AssetVersion, on_delete=models.CASCADE, related_name="reviews")
    policy = models.ForeignKey(ApprovalPolicy, on_delete=models.PROTECT, related_name="reviews")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="submitted_reviews")
    comment = models.TextField(blank=True)
    # The asset's descriptive fields as submitted, so the review page can show what changed since the last
    # approved revision (those fields live on the asset, which keeps changing).
    snapshot = models.JSONField(default=dict, blank=True)
    step = models.PositiveSmallIntegerField(default=1, help_text="Position of the step waiting for approvals.")
    step_opened_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["version"], condition=models.Q(outcome="open"),
                                               name="review_one_open_per_version")]

    def __str__(self) -> str:
        return f"Review of {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("workflows:review", args=[self.version_id])


class ReviewDecision(models.Model):
    """One reviewer's decision at one step, bound to the exact bytes they saw (sha256)."""

    class Kind(models.TextChoices):
        APPROVE = "approve", "Approved"
        REQUEST_CHANGES = "request_changes", "Requested changes"
        REJECT = "reject", "Rejected"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    step = models.PositiveSmallIntegerField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    comment = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "step", "reviewer"],
                                               name="decision_once_per_step")]

    def __str__(self) -> str:
        return f"{self.reviewer} {self.kind} step {self.step}"


class Comment(models.Model):
    """A comment on a revision; replies point at their parent; a region is a rectangle in fractions (0..1)."""

    version = models.ForeignKey(AssetVersion, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    region = models.JSONField(null=True, blank=True, help_text='{"x", "y", "w", "h"} as fractions of the image.')
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.version}"


class AssetLock(models.Model):
    """A check-out: while it holds, only `holder` may upload a new revision of the asset."""

    asset = models.OneToOneField(Asset, on_delete=models.CASCADE, related_name="lock")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    # The desktop app that holds it ("Photoshop"), when the check-out came through the WebDAV drive.
    client = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.asset} checked out by {self.holder.display_name}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()


class NotificationPreference(models.Model):
    class Email(models.TextChoices):
        IMMEDIATE = "immediate", "Immediately"
        DIGEST = "digest", "Daily digest"
        NEVER = "never", "Never (in-app only)"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    email = models.CharField(max_length=10, choices=Email.choices, default=Email.IMMEDIATE)

    def __str__(self) -> str:
        return f"{self.user}: {self.email}"


class Notification(models.Model):
    """In-app news for one user; also the outbox for immediate emails and the daily digest."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(max_length=64)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.message}"


class ReviewableVersion(AssetVersion):
    """An AssetVersion as the review rules see it.

    The permission authority picks a policy by model; this proxy lets the
    workflow policy answer submit / approve / withdraw / comment questions about
    a version while the assets app keeps its own policy for viewing it.
    """

    class Meta:
        proxy = True
        verbose_name = "reviewable version"


# Automation lives in its own package; its models belong to this app.
from workflows.automation.models import (  # noqa: E402, F401
    AutomationCopy,
    AutomationRule,
    AutomationRun,
    ScheduledPass,
)
