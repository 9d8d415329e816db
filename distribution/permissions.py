"""Who sees and manages share links and webhooks (registered with accounts.permissions)."""
from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts import permissions as authority
from accounts.permissions import Cap, Policy, has_capability, is_admin
from distribution.models import (
    Connection,
    Integration,
    Lightbox,
    LightboxShare,
    Preset,
    ShareLink,
    Usage,
    Watermark,
    Webhook,
)


class ShareLinkPolicy(Policy):
    model = ShareLink

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset if is_admin(user) else queryset.filter(created_by=user)

    def can(self, user: Any, action: str, obj: ShareLink | None) -> bool:
        if obj is None:
            return action == "create" and has_capability(user, Cap.SHARE)
        if action in ("view", "revoke"):
            return is_admin(user) or obj.created_by_id == user.pk
        return super().can(user, action, obj)


# --- lightboxes (distribution/lightboxes.py) -----------------------------------------------------

class LightboxPolicy(Policy):
    """Every signed-in person keeps lightboxes; a lightbox is seen by its owner, those it is shared with
    (by name or through a group) and admins. Owner and admins rename, delete and share it; a share with
    `can_edit` lets others change its members (add, remove, reorder, annotate). Its members are not
    governed here: each viewer sees only the assets the asset policy shows them."""

    model = Lightbox
    OWNER_ACTIONS = ("change", "delete", "share")

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        if is_admin(user):
            return queryset
        return queryset.filter(Q(owner=user) | Exists(lightbox_shares_to(user).filter(lightbox=OuterRef("pk"))))

    def can(self, user: Any, action: str, obj: Lightbox | None) -> bool:
        if obj is None:
            return action == "create"  # anyone signed in (the authority has checked that)
        if action not in ("view", "edit_items", *self.OWNER_ACTIONS):
            return super().can(user, action, obj)
        if is_admin(user) or obj.owner_id == user.pk:
            return True
        if action in self.OWNER_ACTIONS:
            return False
        return lightbox_shares_to(user, editing=action == "edit_items").filter(lightbox=obj).exists()


def lightbox_shares_to(user: Any, *, editing: bool = False) -> QuerySet[LightboxShare]:
    """The shares that reach `user`, by name or through one of their groups (only those to edit, if `editing`)."""
    shares = LightboxShare.objects.filter(Q(user=user) | Q(group__in=user.groups.all()))
    return shares.filter(can_edit=True) if editing else shares


class WebhookPolicy(Policy):
    """Webhooks send events about every asset to outside addresses: admins only (DESIGN.md: settings)."""

    model = Webhook
    actions = frozenset({"create", "view", "change", "delete", "redeliver", "ping"})

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset if is_admin(user) else queryset.none()

    def can(self, user: Any, action: str, obj: Webhook | None) -> bool:
        if action not in self.actions:
            return super().can(user, action, obj)
        return is_admin(user)


# --- presets, watermarks, integrations (distribution/presets.py, delivery.py) --------------------------

class PresetPolicy(Policy):
    """Everyone sees the presets (which of them they may use on an asset is distribution.derivatives'
    presets_for); admins define them."""

    model = Preset

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset

    def can(self, user: Any, action: str, obj: Preset | None) -> bool:
        if action in ("create", "change", "delete"):
            return is_admin(user)
        if action == "view":
            return True
        return super().can(user, action, obj)


class WatermarkPolicy(Policy):
    """Admins define watermarks; those who make share links see them, to choose one."""

    model = Watermark

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset if is_admin(user) or has_capability(user, Cap.SHARE) else queryset.none()

    def can(self, user: Any, action: str, obj: Watermark | None) -> bool:
        if action in ("create", "change", "delete"):
            return is_admin(user)
        if action == "view":
            return is_admin(user) or has_capability(user, Cap.SHARE)
        return super().can(user, action, obj)


class IntegrationPolicy(Policy):
    """Integrations (outside tools with a key) are an admin's business."""

    model = Integration

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset if is_admin(user) else queryset.none()

    def can(self, user: Any, action: str, obj: Integration | None) -> bool:
        if action in ("create", "view", "change", "revoke"):
            return is_admin(user)
        return super().can(user, action, obj)


# --- connections and usages (distribution/connections/) ------------------------------------------------

class ConnectionPolicy(Policy):
    """Admins set connections up; whoever may share (admins, brand managers, editors) sees them (never their
    secrets) and pushes approved assets through them."""

    model = Connection

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset if has_capability(user, Cap.SHARE) else queryset.none()

    def can(self, user: Any, action: str, obj: Connection | None) -> bool:
        if action in ("create", "change", "delete", "test"):
            return is_admin(user)
        if action in ("view", "push"):
            return has_capability(user, Cap.SHARE)
        return super().can(user, action, obj)


class UsagePolicy(Policy):
    """Where assets went is for the people who handle them: admins, and those who share or edit them, on the
    assets they see. A share link's own address is its creator's and admins' (serializers hide it otherwise)."""

    model = Usage

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        if is_admin(user):
            return queryset
        if not self.can(user, "list", None):
            return queryset.none()
        from assets.models import Asset

        return queryset.filter(asset__in=authority.visible(user, Asset.objects.all()))

    def can(self, user: Any, action: str, obj: Usage | None) -> bool:
        if action == "list":  # the "Where used" report
            return is_admin(user) or has_capability(user, Cap.SHARE) or has_capability(user, Cap.EDIT_METADATA)
        if action == "view":
            return obj is not None and self.visible(user, Usage.objects.filter(pk=obj.pk)).exists()
        return super().can(user, action, obj)


def shows_share_address(user: Any, usage: Usage) -> bool:
    """Whether `user` may see the address of a share-link usage (its token opens the link)."""
    return usage.system != Usage.System.SHARE or is_admin(user) or usage.by_id == getattr(user, "pk", None)


def register() -> None:
    authority.register(ShareLinkPolicy())
    authority.register(WebhookPolicy())
    authority.register(LightboxPolicy())
    authority.register(PresetPolicy())
    authority.register(WatermarkPolicy())
    authority.register(IntegrationPolicy())
    authority.register(ConnectionPolicy())
    authority.register(UsagePolicy())
