"""Downloads and deliveries: over time by channel, top assets and folders, assets never downloaded, one asset's use.

Counted from distribution's DownloadEvent (one row per download, delivery, share-link or zip file sent).
Whole days up to the last rolled-up day are read from the daily rollups (analytics.models.rollups), the rest
of the period from the raw events (analytics.selectors.rolled). Its channel and integration are read as four
channels people recognise:
- "integration": anything fetched with an integration key (the picker's choices, outside tools);
- "share_link": downloads from public share links;
- "delivery": delivery URLs fetched without a key (websites, CDNs);
- "user": signed-in people downloading from the web pages, the API and zips.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, Count, Exists, F, Max, OuterRef, Q, Sum, Value, When
from django.utils import timezone

from accounts import permissions as authority
from analytics.models import DownloadCollectionDay, DownloadDay, RollupMark
from analytics.selectors.query import (
    ReportQuery,
    days_of,
    in_period,
    in_scope,
    iso,
    local_day,
    require_analytics,
    scope_assets,
    sees_everything,
)
from analytics.selectors.rolled import merged_rows, split
from assets.models import Asset, Collection
from distribution.models import DownloadEvent

CHANNELS = {"user": "Signed-in people", "share_link": "Share links", "delivery": "Delivery URLs",
            "integration": "Picker and integrations"}
TOP = 20
NEVER_DOWNLOADED_SHOWN = 100

CHANNEL = Case(
    When(integration_id__isnull=False, then=Value("integration")),
    When(channel=DownloadEvent.Channel.SHARE, then=Value("share_link")),
    When(channel=DownloadEvent.Channel.DELIVERY, then=Value("delivery")),
    default=Value("user"), output_field=CharField(),
)


def _parts(user: Any, q: ReportQuery, key: str, *, rolled_key: str, rolled_filter: Q | None = None,
           by_collection: bool = False) -> list[Any]:
    """Per `key`, the files sent in the period: the rolled-up days' counts and the raw events' counts, as the
    parts `merged_rows` adds up (columns `key`, `n`). `by_collection`: per folder, which an administrator's
    unfiltered report reads from the per-folder rollup."""
    part = split(q, RollupMark.Name.DOWNLOADS)
    parts: list[Any] = []
    if part.rolled and by_collection and sees_everything(user, q):
        parts.append(DownloadCollectionDay.objects.order_by().filter(part.days())
                     .values(key=F("collection_id")).annotate(n=Sum("count")))
    elif part.rolled:
        rolled = in_scope(DownloadDay.objects.order_by().filter(part.days()), user, q)
        if rolled_filter is not None:
            rolled = rolled.filter(rolled_filter)
        parts.append(rolled.values(key=F(rolled_key)).annotate(n=Sum("count")))
    for raw in part.raw_times():
        parts.append(in_scope(DownloadEvent.objects.order_by().filter(raw), user, q)
                     .values(key=F(key)).annotate(n=Count("pk")))
    return parts


def downloads_by_day(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Per local day and channel, the downloads in the period (days and channels without any are left out)."""
    part = split(q, RollupMark.Name.DOWNLOADS)
    counts: Counter[tuple[dt.date, str]] = Counter()
    if part.rolled:
        # An administrator's whole library: the per-folder totals (a few rows a day), purged assets included.
        rolled = (DownloadCollectionDay.objects.filter(part.days()) if sees_everything(user, q)
                  else in_scope(DownloadDay.objects.filter(part.days()), user, q))
        for r in rolled.order_by().values("day", "channel").annotate(n=Sum("count")):
            counts[(r["day"], r["channel"])] += r["n"]
    for raw in part.raw_times():
        for r in (in_scope(DownloadEvent.objects.order_by().filter(raw), user, q)
                  .annotate(day=local_day(), via=CHANNEL).values("day", "via").annotate(n=Count("pk"))):
            counts[(r["day"], r["via"])] += r["n"]
    return [{"day": iso(day), "channel": via, "channel_label": CHANNELS[via], "count": n}
            for (day, via), n in sorted(counts.items())]


def top_assets(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """The assets with most files sent (purged assets, whose rolled-up rows lost their asset, are left out)."""
    parts = _parts(user, q, "asset_id", rolled_key="asset_id", rolled_filter=Q(asset__isnull=False))
    counts = merged_rows(parts, ["key"], {"total": "SUM(n)"}, order="total DESC, key", limit=TOP)
    assets = {a["pk"]: a for a in Asset.objects.filter(pk__in=[c["key"] for c in counts]).values("pk", "uid", "title")}
    return [{"uid": str(assets[c["key"]]["uid"]), "title": assets[c["key"]]["title"], "count": int(c["total"])}
            for c in counts if c["key"] in assets]


def top_collections(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """The folders whose assets were downloaded most: each download counts in the asset's folder (for a rolled-up
    day, the folder the asset was in on the day it was rolled up)."""
    parts = _parts(user, q, "asset__collection_id", rolled_key="collection_id", by_collection=True)
    counts = [c for c in merged_rows(parts, ["key"], {"total": "SUM(n)"}, order="total DESC, key", limit=TOP + 1)
              if c["key"] is not None][:TOP]
    names = dict(Collection.objects.filter(pk__in=[c["key"] for c in counts]).values_list("pk", "name"))
    return [{"collection_id": c["key"], "name": names.get(c["key"], ""), "count": int(c["total"])} for c in counts]


def never_downloaded(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Live assets that existed before the period ended and were not downloaded in it, oldest first: the
    candidates for archiving."""
    part = split(q, RollupMark.Name.DOWNLOADS)
    rows = scope_assets(user, q).filter(archived_at__isnull=True, created_at__lt=q.end)
    if part.rolled:
        rows = rows.filter(~Exists(DownloadDay.objects.filter(part.days(), asset=OuterRef("pk"))))
    for raw in part.raw_times():
        rows = rows.filter(~Exists(DownloadEvent.objects.filter(raw, asset=OuterRef("pk"))))
    oldest = rows.order_by("created_at", "pk").values("uid", "title", "created_at")[:NEVER_DOWNLOADED_SHOWN]
    return [{"uid": str(r["uid"]), "title": r["title"], "created_at": iso(r["created_at"]),
             "age_days": (q.end - r["created_at"]).days, "count": 0} for r in oldest]


def asset_usage(user: Any, asset: Asset, days: int = 90) -> dict[str, Any]:
    """One asset's downloads in the last `days` days: by day, by channel, through which share links and
    integrations, the last download ever and the total in the window. For those who read analytics and see
    the asset."""
    require_analytics(user)
    if not authority.can(user, "view", asset):
        raise PermissionDenied("You may not see this asset.")
    end = timezone.now()
    q = ReportQuery(start=end - dt.timedelta(days=days), end=end, period=f"{days}d")
    events = in_period(DownloadEvent.objects.filter(asset=asset).order_by(), q)
    per_day = dict(events.annotate(day=local_day()).values("day").annotate(count=Count("pk"))
                   .values_list("day", "count"))
    by_channel = dict(events.annotate(via=CHANNEL).values("via").annotate(count=Count("pk"))
                      .values_list("via", "count"))
    via_links = (events.filter(share_link__isnull=False, integration__isnull=True)
                 .values("share_link_id", "share_link__title").annotate(count=Count("pk")))
    via_integrations = (events.filter(integration__isnull=False)
                        .values("integration_id", "integration__name").annotate(count=Count("pk")))
    delivered_via = sorted(
        [{"kind": "share_link", "id": r["share_link_id"], "name": r["share_link__title"] or "Untitled share link",
          "count": r["count"]} for r in via_links]
        + [{"kind": "integration", "id": r["integration_id"], "name": r["integration__name"], "count": r["count"]}
           for r in via_integrations], key=lambda r: (-r["count"], r["name"]))
    last = DownloadEvent.objects.filter(asset=asset).aggregate(last=Max("created_at"))["last"]
    return {
        "downloads_by_day": [{"day": iso(day), "count": per_day.get(day, 0)} for day in days_of(q)],
        "by_channel": [{"channel": key, "channel_label": label, "count": by_channel.get(key, 0)}
                       for key, label in CHANNELS.items()],
        "delivered_via": delivered_via,
        "last_downloaded": last,
        "total": sum(by_channel.values()),
    }

