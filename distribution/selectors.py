"""Reads for distribution screens: share links and their analytics, what a link offers, where assets go."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts import permissions as authority
from assets.models import Asset, AssetVersion
from assets.permissions import approved_and_usable
from assets.selectors import live_assets_visible_to
from distribution import location
from distribution.derivatives import estimated_size, is_made, ready_sizes
from distribution.models import DownloadEvent, Preset, ShareLink, ShareLinkOpen


def share_links_of(user: Any) -> QuerySet[ShareLink]:
    links = authority.visible(user, ShareLink.objects.all())
    return links.annotate(asset_count=Count("assets")).select_related("created_by").order_by("-created_at", "-pk")


def shareable_assets(user: Any, uids: list[str], *, approved_only: bool = False) -> list[Asset]:
    """Of the given asset uids, those the user may see (and, with `approved_only`, that a link may offer:
    approved, live, in rights); the service checks the sharing rules again."""
    valid = []
    for uid in uids:
        try:
            valid.append(str(uuid.UUID(uid)))
        except ValueError:
            continue
    visible = live_assets_visible_to(user).filter(uid__in=valid)
    return list(visible.filter(approved_and_usable()) if approved_only else visible)


def offered_presets(link: ShareLink) -> list[Preset]:
    """The presets the link offers, in the order of the presets list (one since deleted is left out)."""
    return list(Preset.objects.filter(name__in=link.presets).select_related("watermark"))


@dataclass(frozen=True)
class Offer:
    """One download an asset's card offers: the preset, its format and about how large it is."""

    preset: Preset
    size: int | None
    refusal: str  # why the original is not offered ("" when it is)
    exact: bool = False  # the size of the file made, not an estimate

    @property
    def format(self) -> str:
        return "Original" if self.preset.is_original else self.preset.get_format_display()


def offers(link: ShareLink, version: AssetVersion | None, presets: list[Preset]) -> list[Offer]:
    if version is None:
        return []
    made = ready_sizes(version)
    result = []
    for preset in presets:
        refusal = ""
        if preset.is_original and not link.keep_location:
            refusal = location.refusal(version)
        elif not preset.is_original and not version.has_renditions:
            continue  # no picture can be made from this file: the preset is not shown for it
        marked = bool(link.watermark_id or preset.watermark_id)  # a link's marked copies are its own files
        exact = preset.is_original or (not marked and is_made(version, preset, made))
        result.append(Offer(preset, estimated_size(version, preset, made), refusal, exact))
    return result


def offer_sentences(link: ShareLink, presets: list[Preset]) -> list[str]:
    """What each download of the link contains, in a sentence."""
    from distribution.forms import preset_choice_label

    sentences = []
    for preset in presets:
        if preset.is_original:
            sentences.append("Original: the file as it was uploaded, with all its embedded metadata, where it was "
                             "taken included, and the asset's current rights written in." if link.keep_location else
                             "Original: the file as it was uploaded, without where it was taken (GPS position and "
                             "place names removed); its other metadata kept and the asset's current rights written in.")
        else:
            said: dict[str, str] = {
                Preset.Metadata.KEEP: "credits and captions kept, never the location, with the asset's rights",
                Preset.Metadata.STRIP: "without embedded metadata"}
            kept = said.get(preset.metadata, "carrying the asset's rights, title and description")
            mark = " A watermark is laid over it." if link.watermark_id or preset.watermark_id else ""
            sentences.append(f"{preset_choice_label(preset)}, upright, sRGB, {kept}.{mark}")
    return sentences


def shows_pictures(link: ShareLink, presets: list[Preset]) -> bool:
    """A link's page shows previews only when the link itself offers a picture."""
    return any(not p.is_original for p in presets)


def remaining(link: ShareLink) -> str:
    """"3 of 5 downloads left, expires 12 Dec" - what the visitor still has."""
    parts = []
    if link.max_downloads is not None:
        left = max(link.max_downloads - link.download_count, 0)
        parts.append(f"{left} of {link.max_downloads} download{'s' if link.max_downloads != 1 else ''} left")
    if link.expires_at is not None:
        parts.append(f"expires {timezone.localtime(link.expires_at):%-d %b %Y, %H:%M}")
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class LinkAnalytics:
    days: list[tuple[date, int, int]]  # day, opens, downloads
    by_asset: list[dict[str, Any]]
    by_preset: list[dict[str, Any]]
    by_recipient: list[dict[str, Any]]
    opens: int
    downloads: int

    @property
    def busiest(self) -> int:
        return max([max(o, d) for _, o, d in self.days] or [0]) or 1


def link_analytics(link: ShareLink, *, days: int = 30) -> LinkAnalytics:
    """Opens and downloads of a link (and of the links made with it for other recipients) over time, by asset,
    preset and recipient."""
    batch = ShareLink.objects.filter(batch=link.batch)
    since = timezone.now() - timedelta(days=days - 1)
    events = DownloadEvent.objects.filter(share_link__in=batch)
    opens = ShareLinkOpen.objects.filter(link__in=batch)
    opened = dict(opens.filter(created_at__gte=since).annotate(day=TruncDate("created_at")).values("day")
                  .annotate(n=Count("id")).values_list("day", "n"))
    downloaded = dict(events.filter(created_at__gte=since).annotate(day=TruncDate("created_at")).values("day")
                      .annotate(n=Count("id")).values_list("day", "n"))
    today = timezone.localdate()
    series = [(d, opened.get(d, 0), downloaded.get(d, 0))
              for d in (today - timedelta(days=n) for n in range(days - 1, -1, -1))]
    by_asset = list(events.values("asset__uid", "asset__title").annotate(n=Count("id")).order_by("-n")[:50])
    by_preset = list(events.values("preset").annotate(n=Count("id")).order_by("-n"))
    by_recipient = [{"recipient": row.recipient or "(anyone with the link)", "token": row.token,
                     "opens": row.open_count, "downloads": row.download_count, "revoked": row.revoked_at is not None}
                    for row in batch.order_by("recipient")]
    return LinkAnalytics(series, by_asset, by_preset, by_recipient, opens.count(), events.count())


def deliveries_of(asset: Asset) -> dict[str, Any]:
    """Where an asset is delivered: delivery URL fetches per preset and per integration, and other channels."""
    events = DownloadEvent.objects.filter(asset=asset)
    delivered = events.filter(channel=DownloadEvent.Channel.DELIVERY)
    return {
        "by_preset": list(delivered.values("preset").annotate(n=Count("id")).order_by("-n")),
        "by_integration": list(delivered.values("integration__name").annotate(n=Count("id")).order_by("-n")),
        "by_channel": list(events.values("channel").annotate(n=Count("id")).order_by("-n")),
    }
