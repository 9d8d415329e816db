"""Reads for rights: the expiring report, who hears about an asset's rights, what the daily job has to do."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts import permissions as authority
from accounts.models import User
from archive.models import ReleaseDocument, RightsNotice
from archive.rights.permissions import rights_keepers_q
from assets.models import Asset, CollectionGroupObjectPermission, CollectionUserObjectPermission
from assets.permissions import MANAGE
from assets.selectors import live_cards_visible_to

REPORT_PERIODS = (7, 14, 30, 60, 90)
DEFAULT_PERIOD = 30


def report_url() -> str:
    return reverse("rights:expiring")


def expiring(user: Any, days: int = DEFAULT_PERIOD, *, now: datetime | None = None) -> QuerySet[Asset]:
    """Assets whose rights expire within `days`, and those already expired and not yet renewed or archived,
    soonest first: those `user` may see and keeps the rights of (owner, collection manager, librarian, admin)."""
    now = now or timezone.now()
    # The list rows' own reader (visible, live, versions and thumbnails prefetched: no query per row).
    queryset = live_cards_visible_to(user).filter(rights_expire_at__isnull=False,
                                                  rights_expire_at__lte=now + timedelta(days=days))
    rule = rights_keepers_q(user)
    if rule is not None:
        queryset = queryset.filter(rule)
    return queryset.order_by("rights_expire_at", "pk")


def rights_people(asset: Asset) -> list[User]:
    """Who hears about an asset's rights: its owner and the managers of its collection (or of a folder above)."""
    folders = [*asset.collection.ancestor_ids, asset.collection_id]
    direct = CollectionUserObjectPermission.objects.filter(content_object_id__in=folders,
                                                           permission__codename=MANAGE).values("user_id")
    groups = CollectionGroupObjectPermission.objects.filter(content_object_id__in=folders,
                                                            permission__codename=MANAGE).values("group_id")
    people = User.objects.filter(Q(pk__in=direct) | Q(groups__in=groups) | Q(pk=asset.owner_id), is_active=True)
    return list(people.distinct().order_by("pk"))


def reminders_due(now: datetime, days: list[int]) -> Iterator[tuple[Asset, int]]:
    """(asset, threshold) for each live asset inside a reminder threshold it was not yet reminded at.

    Only the nearest threshold is due: an expiry set 5 days ahead gets the 7-day reminder, not the 30-day
    one as well.
    """
    if not days:
        return
    candidates = (Asset.objects.filter(archived_at__isnull=True, rights_expire_at__gt=now,
                                       rights_expire_at__lte=now + timedelta(days=max(days)))
                  .select_related("collection").order_by("rights_expire_at", "pk"))
    for asset in candidates.iterator(chunk_size=500):
        assert asset.rights_expire_at is not None
        threshold = min(d for d in days if asset.rights_expire_at <= now + timedelta(days=d))
        sent = RightsNotice.objects.filter(asset=asset, kind=RightsNotice.Kind.REMINDER,
                                           expires_at=asset.rights_expire_at, days__lte=threshold).exists()
        if not sent:
            yield asset, threshold


def expiries_due(now: datetime) -> QuerySet[Asset]:
    """Live assets whose rights have expired and whose expiry was not yet handled."""
    handled = RightsNotice.objects.filter(asset=OuterRef("pk"), kind=RightsNotice.Kind.EXPIRED,
                                          expires_at=OuterRef("rights_expire_at"))
    return (Asset.objects.filter(archived_at__isnull=True, rights_expire_at__lte=now)
            .filter(~Exists(handled)).select_related("collection").order_by("rights_expire_at", "pk"))


def release_documents(user: Any, asset: Asset) -> QuerySet[ReleaseDocument]:
    """An asset's release documents, for those who may edit it; none for anyone else."""
    if not authority.can(user, "edit", asset):
        return ReleaseDocument.objects.none()
    return ReleaseDocument.objects.filter(asset=asset).select_related("uploaded_by")


def notices_for(asset: Asset) -> QuerySet[RightsNotice]:
    return RightsNotice.objects.filter(asset=asset).order_by("-sent_at")
