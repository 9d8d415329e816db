from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Lightbox(models.Model):
    """A named, ordered gathering of assets kept by one person, who may share it with people and groups.

    It holds assets, not permissions: everyone who opens it sees only the members they may see
    themselves (distribution.lightboxes.members_of).
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lightboxes")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="lightbox_owner_recent_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("lightboxes:detail", args=[self.pk])


class LightboxItem(models.Model):
    """One asset in a lightbox, at its place in the lightbox's order, with a note about it."""

    lightbox = models.ForeignKey(Lightbox, on_delete=models.CASCADE, related_name="items")
    asset = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="lightbox_items")
    # 0, 1, 2... without gaps: the services renumber the whole lightbox on every change, under a lock on
    # the lightbox row. Not unique in the database: a reorder would otherwise need deferred constraints.
    position = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["lightbox", "asset"], name="lightbox_item_unique_asset")]
        indexes = [models.Index(fields=["lightbox", "position"], name="lightbox_item_order_idx")]

    def __str__(self) -> str:
        return f"{self.lightbox_id}#{self.position}: {self.asset_id}"


class LightboxShare(models.Model):
    """A lightbox shared with one person or one group (exactly one of the two), to look at or to edit.

    Editing lets them add, remove, reorder and annotate members; renaming, deleting and sharing
    stay with the owner (and admins).
    """

    lightbox = models.ForeignKey(Lightbox, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="lightbox_shares")
    group = models.ForeignKey("auth.Group", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="lightbox_shares")
    can_edit = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False, group__isnull=True)
                                   | Q(user__isnull=True, group__isnull=False),
                                   name="lightbox_share_user_xor_group"),
            models.UniqueConstraint(fields=["lightbox", "user"], condition=Q(user__isnull=False),
                                    name="lightbox_share_unique_user"),
            models.UniqueConstraint(fields=["lightbox", "group"], condition=Q(group__isnull=False),
                                    name="lightbox_share_unique_group"),
        ]

    def __str__(self) -> str:
        who = self.user if self.user_id else self.group
        return f"{self.lightbox_id} → {who} ({'edit' if self.can_edit else 'view'})"
