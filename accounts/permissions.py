"""The one permission authority. Every view, API endpoint, command and task asks it.

Two questions, one entry point each:

    can(user, action, obj=None)   may this user do `action` (to `obj`)?
    visible(user, queryset)       which of these objects may this user see? (SQL)

and `access(user, queryset, action, **lookup)` that fetches *and* checks: a
missing object and one the user may not see both raise Http404; an action the
user may not take on a visible object raises PermissionDenied (403).

This module holds the role table (DESIGN.md's matrix) and the policy machinery.
It imports no other app: each app states the rules for its own models in
`<app>/permissions.py` as a `Policy` and registers it here (the way Wagtail's
permission policies work).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from accounts.roles import ROLE_GROUP_NAMES, Role

if TYPE_CHECKING:
    from typing import TypeAlias

    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    AnyUser: TypeAlias = User | AnonymousUser

M = TypeVar("M", bound=models.Model)


class Cap(models.TextChoices):
    """Role capabilities; each is the permission `accounts.<value>` on the role groups."""

    UPLOAD = "upload", "Upload, new revisions of own assets"
    EDIT_METADATA = "edit_metadata", "Edit metadata of any visible asset"
    SEE_UNAPPROVED = "see_unapproved", "See drafts and revisions in review"
    REVIEW = "review", "Approve / request changes"
    MANAGE_VOCABULARY = "manage_vocabulary", "Vocabulary and schema"
    SUGGEST_TERMS = "suggest_terms", "Suggest terms"
    SHARE = "share", "Share links and lightboxes"
    USE_LIGHTBOXES = "use_lightboxes", "Own lightboxes"
    ARCHIVE = "archive", "Archive and restore"
    VIEW_ANALYTICS = "view_analytics", "See analytics and reports"
    ADMINISTER = "administer", "Purge, users, settings"


# DESIGN.md's role matrix. Everyone may search, view and download what is
# approved (that is visibility, not a capability). Contributors edit only their
# own drafts: that rule lives in the asset policy, not here.
ROLE_CAPABILITIES: dict[Role, frozenset[Cap]] = {
    Role.ADMIN: frozenset(Cap),
    Role.LIBRARIAN: frozenset({Cap.EDIT_METADATA, Cap.SEE_UNAPPROVED, Cap.MANAGE_VOCABULARY, Cap.SUGGEST_TERMS,
                               Cap.ARCHIVE, Cap.VIEW_ANALYTICS, Cap.USE_LIGHTBOXES}),
    Role.BRAND_MANAGER: frozenset({Cap.EDIT_METADATA, Cap.SEE_UNAPPROVED, Cap.REVIEW, Cap.SHARE, Cap.ARCHIVE,
                                   Cap.VIEW_ANALYTICS, Cap.USE_LIGHTBOXES}),
    Role.EDITOR: frozenset({Cap.UPLOAD, Cap.EDIT_METADATA, Cap.SEE_UNAPPROVED, Cap.REVIEW, Cap.SHARE,
                            Cap.USE_LIGHTBOXES}),
    Role.CONTRIBUTOR: frozenset({Cap.UPLOAD, Cap.SUGGEST_TERMS}),
    Role.VIEWER: frozenset({Cap.USE_LIGHTBOXES}),
}

def sync_role_groups(group_model: Any, permission_model: Any, content_type_model: Any) -> None:
    """Create the role groups and give each exactly its capabilities.

    Called from data migrations with historical models (so it also runs in a
    fresh test database); idempotent, and a later migration calls it again
    whenever the role table changes.
    """
    content_type, _ = content_type_model.objects.get_or_create(app_label="accounts", model="capability")
    perms = {}
    for cap in Cap:
        perms[cap], _ = permission_model.objects.get_or_create(
            content_type=content_type, codename=cap.value, defaults={"name": cap.label}
        )
    for role, caps in ROLE_CAPABILITIES.items():
        group, _ = group_model.objects.get_or_create(name=ROLE_GROUP_NAMES[role])
        group.permissions.set([perms[cap] for cap in caps])


def has_capability(user: AnyUser, cap: Cap) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(f"accounts.{cap.value}"))


def is_admin(user: AnyUser) -> bool:
    return has_capability(user, Cap.ADMINISTER)


def users_with_capability(cap: Cap) -> models.QuerySet:
    """The active users whose role grants `cap` (who hears of a failed fixity check, a retention run, ...)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True, groups__permissions__codename=cap.value).distinct()


class Policy:
    """The rules for one model. Subclasses answer `can` for actions and `visible`."""

    model: type[models.Model]

    def can(self, user: AnyUser, action: str, obj: Any) -> bool:
        raise PermissionError(f"{type(self).__name__} does not define action {action!r}")

    def visible(self, user: AnyUser, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.none()


_policies: dict[type[models.Model], Policy] = {}


def register(policy: Policy) -> None:
    _policies[policy.model] = policy


def _policy_for(model: type[models.Model]) -> Policy:
    for klass in model.__mro__:
        if klass in _policies:
            return _policies[klass]
    raise LookupError(f"No permission policy registered for {model.__name__}")


def can(user: AnyUser, action: str, obj: Any = None) -> bool:
    """May `user` do `action`? With no obj, `action` is a capability (Cap)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if obj is None:
        return has_capability(user, Cap(action))
    if isinstance(obj, type) and issubclass(obj, models.Model):
        return _policy_for(obj).can(user, action, None)
    return _policy_for(type(obj)).can(user, action, obj)


def visible(user: AnyUser, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """The part of `queryset` the user may see, filtered in SQL."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    return _policy_for(queryset.model).visible(user, queryset)


def access(user: AnyUser, queryset: models.QuerySet[M], action: str = "view", **lookup: Any) -> M:
    """Fetch one object and check `action` on it: 404 if unseen, 403 if not allowed."""
    obj = visible(user, queryset).filter(**lookup).first()
    if obj is None:
        raise Http404("Not found.")
    if action != "view" and not can(user, action, obj):
        raise PermissionDenied("You may not do that.")
    return obj


def require(user: AnyUser, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless `can(user, action, obj)`."""
    if not can(user, action, obj):
        raise PermissionDenied("You may not do that.")
