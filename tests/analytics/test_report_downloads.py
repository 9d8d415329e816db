"""Download panels and one asset's usage: every number equals a count made here from the events written."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from analytics.selectors import ReportQuery, asset_usage, report
from distribution.models import DownloadEvent
from tests.analytics.helpers import download, integration, share_link
from tests.factories import library, make_asset, make_collection

pytestmark = pytest.mark.django_db
Channel = DownloadEvent.Channel


@pytest.fixture
def library_use(people):
    """Three assets in two folders, downloaded through every channel over a week; one never downloaded."""
    news, brand = make_collection("News", library()), make_collection("Brand", library())
    harbour = make_asset(people["editor"], news, title="Harbour", approved=True)
    bridge = make_asset(people["editor"], news, title="Bridge", approved=True)
    logo = make_asset(people["editor"], brand, title="Logo", approved=True)
    idle = make_asset(people["editor"], brand, title="Idle", approved=True)
    cms, link = integration(), share_link(harbour, people["brand_manager"])
    now = timezone.now()  # after the assets were made: the report's period ends after them
    written = []  # (asset, day offset, channel name in the report)
    plan = [(harbour, 1, "user", {}), (harbour, 1, "user", {}), (harbour, 2, "share_link", {"share_link": link}),
            (harbour, 2, "integration", {"integration": cms}), (bridge, 3, "delivery", {}),
            (bridge, 3, "user", {}), (logo, 6, "integration", {"integration": cms})]
    raw = {"user": Channel.WEB, "share_link": Channel.SHARE, "delivery": Channel.DELIVERY,
           "integration": Channel.DELIVERY}
    for asset, days_ago, name, extra in plan:
        download(asset, now - dt.timedelta(days=days_ago), raw[name], **extra)
        written.append((asset, days_ago, name))
    download(idle, now - dt.timedelta(days=40))  # before a 30-day period: still "never downloaded" in it
    download(logo, now - dt.timedelta(days=40))
    return {"now": now, "written": written, "assets": (harbour, bridge, logo, idle), "news": news,
            "cms": cms, "link": link}


def test_downloads_by_day_and_channel_equal_the_events(people, library_use):
    rows = report(people["admin"], ReportQuery.last(30, now=library_use["now"]), ["downloads_by_day"])
    got = {(r["day"], r["channel"]): r["count"] for r in rows["downloads_by_day"]}
    now = library_use["now"]
    expected = Counter((timezone.localtime(now - dt.timedelta(days=d)).date().isoformat(), name)
                       for _, d, name in library_use["written"])
    assert got == dict(expected)
    assert sum(got.values()) == 7


def test_top_assets_and_collections(people, library_use):
    data = report(people["admin"], ReportQuery.last(30, now=library_use["now"]), ["top_assets", "top_collections"])
    per_asset = Counter(asset.title for asset, _, _ in library_use["written"])
    assert [(r["title"], r["count"]) for r in data["top_assets"]] == per_asset.most_common()
    assert all(r["uid"] for r in data["top_assets"])
    per_folder = Counter(asset.collection.name for asset, _, _ in library_use["written"])
    assert {r["name"]: r["count"] for r in data["top_collections"]} == dict(per_folder)


def test_never_downloaded_lists_assets_without_downloads_in_the_period(people, library_use):
    harbour, bridge, logo, idle = library_use["assets"]
    rows = report(people["admin"], ReportQuery.last(30, now=library_use["now"]), ["never_downloaded"])
    assert [r["uid"] for r in rows["never_downloaded"]] == [str(idle.uid)]
    assert rows["never_downloaded"][0]["age_days"] == 0 and rows["never_downloaded"][0]["count"] == 0
    # Over a week, the logo's only download (six days ago) is inside too; over two days it is not.
    two_days = report(people["admin"], ReportQuery.last(2, now=library_use["now"]), ["never_downloaded"])
    assert {r["title"] for r in two_days["never_downloaded"]} == {"Bridge", "Logo", "Idle"}


def test_filters_narrow_every_download_panel(people, library_use):
    q = ReportQuery.last(30, now=library_use["now"], collection_id=library_use["news"].pk)
    data = report(people["admin"], q, ["downloads_by_day", "top_assets", "never_downloaded"])
    assert sum(r["count"] for r in data["downloads_by_day"]) == 6
    assert {r["title"] for r in data["top_assets"]} == {"Harbour", "Bridge"}
    assert data["never_downloaded"] == []
    assert report(people["admin"], ReportQuery.last(30, type="video"), ["top_assets"]) == {"top_assets": []}


def test_asset_usage(people, library_use):
    harbour = library_use["assets"][0]
    usage = asset_usage(people["brand_manager"], harbour, days=30)
    assert usage["total"] == 4
    assert {r["channel"]: r["count"] for r in usage["by_channel"]} == {
        "user": 2, "share_link": 1, "delivery": 0, "integration": 1}
    assert {(r["kind"], r["name"], r["count"]) for r in usage["delivered_via"]} == {
        ("share_link", "For the agency", 1), ("integration", "Website CMS", 1)}
    assert len(usage["downloads_by_day"]) == 31 and sum(r["count"] for r in usage["downloads_by_day"]) == 4
    assert usage["last_downloaded"] == harbour.download_events.order_by("-created_at").first().created_at


def test_asset_usage_is_for_analytics_readers(people, library_use):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        asset_usage(people["editor"], library_use["assets"][0])
