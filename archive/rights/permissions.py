"""Who works with rights (registered with accounts.permissions from archive.apps).

The expiring report and renewing belong to the asset's owner, the managers of its collection, librarians
and admins; a release document (a signed paper with a person's name and signature) is seen only by those
who may edit its asset.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts import permissions as authority
from accounts.permissions import Cap, Policy, has_capability, is_admin
from accounts.roles import Role
from archive.models import ReleaseDocument, RightsNotice
from assets.models import Asset, LicenceType
from assets.permissions import collections_with_grant, has_collection_grant


def keeps_all_rights(user: Any) -> bool:
    """Librarians and admins keep the rights of every asset they can see."""
    return is_admin(user) or (user.is_authenticated and user.role == Role.LIBRARIAN)


def rights_keepers_q(user: Any) -> Q | None:
    """The assets whose rights `user` keeps besides seeing them: None means every visible one."""
    if keeps_all_rights(user):
        return None
    return Q(owner_id=user.pk) | Q(collection__in=collections_with_grant(user, "manage"))


def may_keep_rights(user: Any, asset: Asset) -> bool:
    if not authority.can(user, "view", asset):
        return False
    return (keeps_all_rights(user) or asset.owner_id == user.pk
            or has_collection_grant(user, asset.collection, "manage"))


class ReleaseDocumentPolicy(Policy):
    model = ReleaseDocument

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        assets = authority.visible(user, Asset.objects.all())
        if not has_capability(user, Cap.EDIT_METADATA):
            # Contributors edit their own drafts only: narrowed to their assets here, the draft checked by `can`.
            assets = assets.filter(owner_id=user.pk)
        return queryset.filter(asset__in=assets)

    def can(self, user: Any, action: str, obj: ReleaseDocument | None) -> bool:
        if obj is None:
            return False
        if action in ("view", "download", "remove"):
            return authority.can(user, "edit", obj.asset)
        return super().can(user, action, obj)


class RightsNoticePolicy(Policy):
    """What the rights job sent: the people who keep the asset's rights."""

    model = RightsNotice

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        rule = rights_keepers_q(user)
        assets = authority.visible(user, Asset.objects.all())
        if rule is not None:
            assets = assets.filter(rule)
        return queryset.filter(asset__in=assets)

    def can(self, user: Any, action: str, obj: RightsNotice | None) -> bool:
        if obj is None:
            return action in ("report", "view") and (keeps_all_rights(user) or has_capability(user, Cap.UPLOAD)
                                           or collections_with_grant(user, "manage").exists())
        if action == "view":
            return may_keep_rights(user, obj.asset)
        return super().can(user, action, obj)


class LicenceTypePolicy(Policy):
    """Everyone signed in reads the licence list; admins keep it."""

    model = LicenceType

    def visible(self, user: Any, queryset: QuerySet) -> QuerySet:
        return queryset

    def can(self, user: Any, action: str, obj: LicenceType | None) -> bool:
        if action == "view":
            return True
        if action in ("create", "edit"):
            return is_admin(user)
        return super().can(user, action, obj)


def register() -> None:
    for policy in (ReleaseDocumentPolicy(), RightsNoticePolicy(), LicenceTypePolicy()):
        authority.register(policy)
