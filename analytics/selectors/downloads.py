"""Downloads and deliveries: over time by channel, top assets and folders, assets never downloaded, one asset's use.

Counted from distribution's DownloadEvent (one row per download, delivery, share-link or zip file sent).
Its channel and integration are read as four channels people recognise:
- "integration": anything fetched with an integration key (the picker's choices, outside tools);
- "share_link": downloads from public share links;
- "delivery": delivery URLs fetched without a key (websites, CDNs);
- "user": signed-in people downloading from the web pages, the API and zips.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, Count, Exists, Max, OuterRef, Value, When
from django.utils import timezone

from accounts import permissions as authority
from analytics.selectors.query import (
    ReportQuery,
    days_of,
    in_period,
    in_scope,
    iso,
    local_day,
    require_analytics,
    scope_assets,
)
from assets.models import Asset
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


def _events(user: Any, q: ReportQuery) -> Any:
    return in_scope(in_period(DownloadEvent.objects.order_by(), q), user, q)


def downloads_by_day(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Per local day and channel, the downloads in the period (days and channels without any are left out)."""
    rows = (_events(user, q).annotate(day=local_day(), via=CHANNEL).values("day", "via")
            .annotate(count=Count("pk")).order_by("day", "via"))
    return [{"day": iso(r["day"]), "channel": r["via"], "channel_label": CHANNELS[r["via"]], "count": r["count"]}
            for r in rows]


def _with_titles(counts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of asset ids and counts given their uid and title (one query for the page of them)."""
    assets = {a["pk"]: a for a in Asset.objects.filter(pk__in=[c["asset_id"] for c in counts])
              .values("pk", "uid", "title")}
    return [{"uid": str(assets[c["asset_id"]]["uid"]), "title": assets[c["asset_id"]]["title"], "count": c["count"]}
            for c in counts if c["asset_id"] in assets]


def top_assets(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    counts = list(_events(user, q).values("asset_id").annotate(count=Count("pk")).order_by("-count", "asset_id")[:TOP])
    return _with_titles(counts)


def top_collections(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """The folders whose assets were downloaded most (each asset counts in its own folder)."""
    rows = (_events(user, q).values("asset__collection_id", "asset__collection__name")
            .annotate(count=Count("pk")).order_by("-count", "asset__collection_id")[:TOP])
    return [{"collection_id": r["asset__collection_id"], "name": r["asset__collection__name"], "count": r["count"]}
            for r in rows]


def never_downloaded(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Live assets that existed before the period ended and were not downloaded in it, oldest first: the
    candidates for archiving."""
    downloaded = in_period(DownloadEvent.objects.filter(asset=OuterRef("pk")), q)
    rows = (scope_assets(user, q).filter(archived_at__isnull=True, created_at__lt=q.end)
            .filter(~Exists(downloaded)).order_by("created_at", "pk")
            .values("uid", "title", "created_at")[:NEVER_DOWNLOADED_SHOWN])
    return [{"uid": str(r["uid"]), "title": r["title"], "created_at": iso(r["created_at"]),
             "age_days": (q.end - r["created_at"]).days, "count": 0} for r in rows]


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

