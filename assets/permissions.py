"""Access rules for collections and assets, registered with the authority in accounts.permissions.

Access comes from grants on collections (view < contribute < manage), held by a
user or by one of their groups, and flowing down the folder tree; per-object
grants on an asset are the exception. The role then decides what a user may do
with what they can see, and whether they see unapproved work at all.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith
from django.utils import timezone

from accounts import permissions as authority
from accounts.audit import events_for
from accounts.permissions import Cap, Policy, has_capability, is_admin
from assets.expiry import folders_resolving_to
from assets.models import (
    Asset,
    AssetGroupObjectPermission,
    AssetUserObjectPermission,
    AssetVersion,
    Collection,
    CollectionGroupObjectPermission,
    CollectionUserObjectPermission,
    ReviewState,
    RightsOnExpiry,
)
from dam import request_memo
from dam.expressions import InSet

VIEW, CONTRIBUTE, MANAGE = "view_collection", "contribute_collection", "manage_collection"
# A stronger grant includes the weaker ones.
IMPLIED_BY = {"view": (VIEW, CONTRIBUTE, MANAGE), "contribute": (CONTRIBUTE, MANAGE), "manage": (MANAGE,)}
GRANT_LEVELS = {"view": VIEW, "contribute": CONTRIBUTE, "manage": MANAGE}
EDITABLE_STATES = (ReviewState.DRAFT, ReviewState.CHANGES_REQUESTED)
# Up to this many granted folders (or assets granted one by one), the visibility rule carries their ids
# as a list; beyond it, as a subquery (a list that long would cost more to send and plan than the
# subquery costs to run).
LISTED_IDS = 1000


def _grant_exists(user: Any, level: str, path_ref: Any) -> Q:
    """SQL: the user or a group of theirs holds `level` (or stronger) on `path_ref` or an ancestor."""
    codenames = IMPLIED_BY[level]
    covers = StartsWith(path_ref, F("content_object__path"))
    by_user = CollectionUserObjectPermission.objects.filter(user=user, permission__codename__in=codenames)
    by_group = CollectionGroupObjectPermission.objects.filter(
        group__in=user.groups.all(), permission__codename__in=codenames
    )
    return Q(Exists(by_user.filter(covers))) | Q(Exists(by_group.filter(covers)))


def has_collection_grant(user: Any, collection: Collection, level: str) -> bool:
    if is_admin(user):
        return True
    return Collection.objects.filter(pk=collection.pk).filter(_grant_exists(user, level, OuterRef("path"))).exists()


def collections_with_grant(user: Any, level: str, queryset: QuerySet[Collection] | None = None) -> QuerySet[Collection]:
    queryset = Collection.objects.all() if queryset is None else queryset
    if is_admin(user):
        return queryset
    return queryset.filter(_grant_exists(user, level, OuterRef("path")))


def approved_and_usable() -> Q:
    """Assets that viewers (and the delivery API) may use: approved, live, in rights.

    In rights: started (rights_start passed or unset), not expired (or in a folder that keeps expired assets in
    use), and not under embargo. Column names only (no joins), so the same Q also holds on the copies in
    SearchDocument.
    """
    now = timezone.now()
    in_rights = Q(rights_expire_at__isnull=True) | Q(rights_expire_at__gt=now)
    kept = expiry_kept_collections()
    if kept:  # folders whose expiry only notifies (own or inherited choice): their expired assets stay in use
        in_rights |= Q(collection_id__in=kept)
    # Before its rights start, an asset is held back as an embargoed one is: a licence that has not begun
    # does not let anyone use it yet, and no folder's choice keeps it in use.
    return (
        Q(approved_version_id__isnull=False, archived_at__isnull=True)
        & in_rights
        & (Q(rights_start__isnull=True) | Q(rights_start__lte=now))
        & (Q(embargo_until__isnull=True) | Q(embargo_until__lte=now))
    )


def is_approved_and_usable(asset: Asset) -> bool:
    """approved_and_usable() for one loaded asset, without a query (a delivery URL's every request): the same
    rule, kept beside it."""
    now = timezone.now()
    return (asset.approved_version_id is not None and asset.archived_at is None
            and (asset.rights_expire_at is None or asset.rights_expire_at > now
                 or asset.collection_id in expiry_kept_collections())
            and not held_back(asset, now))


def unusable_reason(asset: Asset) -> str | None:
    """Why is_approved_and_usable(asset) is False, as the end of a sentence ("its rights start on ..."); None
    when the asset is usable."""
    now = timezone.now()
    if asset.approved_version_id is None:
        return "it has no approved version"
    if asset.archived_at is not None:
        return "it is archived"
    if asset.rights_start is not None and asset.rights_start > now:
        return f"its rights start on {timezone.localtime(asset.rights_start):%Y-%m-%d %H:%M}"
    if asset.embargo_until is not None and asset.embargo_until > now:
        return f"it is under embargo until {timezone.localtime(asset.embargo_until):%Y-%m-%d %H:%M}"
    if not is_approved_and_usable(asset):
        return "its usage rights expired"
    return None


def held_back(asset: Asset, now: datetime | None = None) -> bool:
    """Whether the asset is out of use whatever its folder says: under embargo, or before its rights start."""
    now = now or timezone.now()
    return ((asset.embargo_until is not None and asset.embargo_until > now)
            or (asset.rights_start is not None and asset.rights_start > now))


EXPIRY_KEPT_KEY = "assets.permissions.expiry_kept"


def expiry_kept_collections() -> frozenset[int]:
    """The folders whose assets stay in use when their rights expire: those that chose notify and the sub-folders
    that inherit it (assets.expiry): usually none.

    Read from the cache (cleared whenever a folder is saved or moved), and once per request at most, so the rule
    above costs no query: it is built for every list, search and delivery.
    """
    def fetch() -> frozenset[int]:
        kept = cache.get(EXPIRY_KEPT_KEY)
        if kept is None:
            kept = folders_resolving_to(RightsOnExpiry.NOTIFY)
            cache.set(EXPIRY_KEPT_KEY, kept, 300)
        return kept
    return request_memo.remember(EXPIRY_KEPT_KEY, fetch)


def _forget_expiry_kept(*_: Any, **__: Any) -> None:
    cache.delete(EXPIRY_KEPT_KEY)
    # Again once the change commits: a read between the save and the commit may have cached the old answer.
    transaction.on_commit(lambda: cache.delete(EXPIRY_KEPT_KEY))


REACH = ("folders", "assets by user", "assets by group")


def _grants(user: Any, reach: str) -> tuple[QuerySet, str]:
    """What `user` reaches besides their own assets, one of REACH, and the column holding its ids."""
    if reach == "folders":
        return collections_with_grant(user, "view"), "pk"
    on_assets = Q(permission__codename__in=("view_asset", "change_asset"))
    if reach == "assets by user":
        return AssetUserObjectPermission.objects.filter(on_assets, user=user), "content_object_id"
    return AssetGroupObjectPermission.objects.filter(on_assets, group__in=user.groups.all()), "content_object_id"


# A reach (REACH) -> its ids, or None when there are more than LISTED_IDS.
Granted = dict[str, tuple[int, ...] | None]


def _granted(user: Any, reach: str) -> tuple[int, ...] | None:
    """The ids of a _grants set, None when there are more than LISTED_IDS: read once per request at most."""
    return request_memo.remember(("assets.permissions.granted", user.pk), lambda: _fetch_granted(user))[reach]


def _fetch_granted(user: Any) -> Granted:
    granted: Granted = {}
    for reach in REACH:
        grants, column = _grants(user, reach)
        ids = list(grants.order_by().values_list(column, flat=True)[:LISTED_IDS + 1])
        granted[reach] = None if len(ids) > LISTED_IDS else tuple(sorted(ids))
    return granted


def visibility_q(user: Any, asset_ref: str = "pk") -> Q | None:
    """The assets `user` may see, as one condition; None for administrators, who see everything.

    It names only columns that the asset and its search index row (SearchDocument)
    both have, so that the one rule can be applied to either: `asset_ref` is the
    column holding the asset's id ("pk" on Asset, "asset_id" on SearchDocument).
    The granted folders and assets are read once per request (`_granted`) and
    carried as ids: cheap to build and compile again, and PostgreSQL plans with
    the real number of folders instead of guessing at a subquery.
    """
    if is_admin(user):
        return None
    reachable = Q(owner_id=user.pk)
    for reach in REACH:
        column = "collection_id" if reach == "folders" else asset_ref
        ids = _granted(user, reach)
        if ids is None:
            reachable |= Q(InSet(column, *_grants(user, reach)))
        elif ids:
            reachable |= Q(**{f"{column}__in": ids})
    if has_capability(user, Cap.SEE_UNAPPROVED):
        return reachable
    # Everyone else sees what is approved and usable, and their own work.
    return reachable & (approved_and_usable() | Q(owner_id=user.pk))


class CollectionPolicy(Policy):
    model = Collection

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        if is_admin(user):
            return queryset
        ids = _granted(user, "folders")
        return collections_with_grant(user, "view", queryset) if ids is None else queryset.filter(pk__in=ids)

    def can(self, user: Any, action: str, obj: Collection | None) -> bool:
        if obj is None:  # actions on the model: creating a top-level folder
            return action == "create" and is_admin(user)
        if action == "view":
            return has_collection_grant(user, obj, "view")
        if action == "contribute":
            return has_capability(user, Cap.UPLOAD) and has_collection_grant(user, obj, "contribute")
        if action in ("manage", "create_child", "grant"):
            return has_collection_grant(user, obj, "manage")
        if action == "set_delivery":  # making a folder's approved assets fetchable from outside
            return is_admin(user)
        return super().can(user, action, obj)


class AssetPolicy(Policy):
    model = Asset

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        queryset = queryset.filter(binned_at__isnull=True)  # the bin (archive.retention) hides from everyone
        rule = visibility_q(user)
        return queryset if rule is None else queryset.filter(rule)

    def can(self, user: Any, action: str, obj: Asset | None) -> bool:
        if obj is None:
            if action == "bulk_edit":
                # The bulk editor and CSV import: editors on whatever they may edit, contributors on their own
                # drafts (each asset is still asked "edit" on its own).
                return has_capability(user, Cap.EDIT_METADATA) or has_capability(user, Cap.UPLOAD)
            return action == "create" and has_capability(user, Cap.UPLOAD)
        if not authority.visible(user, Asset.objects.filter(pk=obj.pk)).exists():
            return False
        if action in ("view", "download"):
            return True
        if action == "edit":
            if has_capability(user, Cap.EDIT_METADATA):
                return True
            return self._own_draft(user, obj)
        if action == "add_version":
            if not has_capability(user, Cap.UPLOAD):
                return False
            if obj.owner_id == user.pk:
                return True
            # Editors revise others' assets in folders they may contribute to.
            return has_capability(user, Cap.EDIT_METADATA) and has_collection_grant(user, obj.collection, "contribute")
        if action == "retry_renditions":  # ask again for previews that failed: whoever may edit the asset
            return self.can(user, "edit", obj)
        if action == "delete":
            return is_admin(user)
        if action == "discard":  # throw away one's own draft that no reviewer has ever been asked to look at
            return (obj.owner_id == user.pk and has_capability(user, Cap.UPLOAD) and obj.approved_version_id is None
                    and not ever_submitted(obj))
        if action in ("archive", "restore"):
            return has_capability(user, Cap.ARCHIVE)
        if action == "share":
            # Only what outsiders may use leaves the DAM: approved, live, in rights.
            return has_capability(user, Cap.SHARE) and Asset.objects.filter(approved_and_usable(), pk=obj.pk).exists()
        return super().can(user, action, obj)

    @staticmethod
    def _own_draft(user: Any, asset: Asset) -> bool:
        if asset.owner_id != user.pk or not has_capability(user, Cap.UPLOAD):
            return False
        state = asset.current_version.review_state if asset.current_version else ReviewState.DRAFT
        return state in EDITABLE_STATES


# The verbs workflows writes when a revision goes to review: the audit trail remembers a submission even after
# the revision was withdrawn back to draft.
SUBMITTED_VERBS = ("workflows.version.submitted", "workflows.version.resubmitted")


def ever_submitted(asset: Asset) -> bool:
    """Whether any revision of the asset was ever sent for review (such an asset is archived, never discarded)."""
    if asset.versions.exclude(review_state=ReviewState.DRAFT).exists():
        return True
    return events_for(asset).filter(verb__in=SUBMITTED_VERBS).exists()


class VersionPolicy(Policy):
    """A version is seen through its asset; unapproved versions only by those who see drafts."""

    model = AssetVersion

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        queryset = queryset.filter(asset__in=authority.visible(user, Asset.objects.all()))
        if has_capability(user, Cap.SEE_UNAPPROVED):
            return queryset
        return queryset.filter(Q(asset__approved_version=F("pk")) | Q(asset__owner=user))

    def can(self, user: Any, action: str, obj: AssetVersion | None) -> bool:
        if obj is None:
            return False
        if action in ("view", "download"):
            return authority.visible(user, AssetVersion.objects.filter(pk=obj.pk)).exists()
        return super().can(user, action, obj)


def register() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for policy in (CollectionPolicy(), AssetPolicy(), VersionPolicy()):
        authority.register(policy)
    # A grant, a folder or a group membership written: the request must not use the ids it remembered.
    for model in (Collection, CollectionUserObjectPermission, CollectionGroupObjectPermission,
                  AssetUserObjectPermission, AssetGroupObjectPermission):
        for signal in (post_save, post_delete):
            signal.connect(request_memo.forget, sender=model, dispatch_uid=f"assets.grants.{model.__name__}.{signal}")
    for signal in (post_save, post_delete):
        signal.connect(_forget_expiry_kept, sender=Collection, dispatch_uid=f"assets.expiry_kept.{signal}")
    m2m_changed.connect(request_memo.forget, sender=get_user_model().groups.through,
                        dispatch_uid="assets.grants.groups")
