"""Reads about where assets are used, across assets: those whose places still show an outdated version, and those
used in most places. Rows are per asset, counted in the database, and hold only assets the reader may see
(through the usage policy); the asset page's "Used in" panel lists one asset's places."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, QuerySet

from accounts import permissions as authority
from assets.models import Asset
from distribution.models import Usage

# A place the asset is, or was, in: sent and taken, or taken and since outdated. Queued and failed pushes are not.
PLACED = (Usage.State.PUSHED, Usage.State.OUTDATED)


@dataclass(frozen=True)
class UsedAsset:
    asset: Asset
    count: int
    latest: datetime


@dataclass(frozen=True)
class UsageReport:
    outdated: list[UsedAsset]
    outdated_assets: int
    outdated_places: int
    most_used: list[UsedAsset]


def usages_visible_to(user: Any) -> QuerySet[Usage]:
    return authority.visible(user, Usage.objects.all())


def _per_asset(usages: QuerySet[Usage], latest_field: str, limit: int) -> list[UsedAsset]:
    rows = list(usages.values("asset_id").annotate(count=Count("id"), latest=Max(latest_field))
                .order_by("-count", "-latest", "asset_id")[:limit])
    assets = Asset.objects.select_related("collection").in_bulk([row["asset_id"] for row in rows])
    return [UsedAsset(assets[row["asset_id"]], row["count"], row["latest"]) for row in rows]


def usage_report(user: Any, *, limit: int = 20) -> UsageReport:
    """Assets in use with an outdated version (most outdated places first), and the assets used in most places."""
    usages = usages_visible_to(user)
    outdated = usages.filter(state=Usage.State.OUTDATED)
    totals = outdated.aggregate(places=Count("id"), assets=Count("asset_id", distinct=True))
    return UsageReport(
        outdated=_per_asset(outdated, "outdated_at", limit),
        outdated_assets=totals["assets"], outdated_places=totals["places"],
        most_used=_per_asset(usages.filter(state__in=PLACED), "created_at", limit))
