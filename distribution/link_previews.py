"""Link previews: what a share link or a delivery URL shows an unfurler (Open Graph, Twitter Card, oEmbed).

A preview tells only what the link itself shows to someone without a session: a password-protected share
link is "protected", an expired, withdrawn or used-up one "no longer available" - never the title or the
picture behind it - and a delivery URL that would be refused has no preview at all. Every URL in a preview
is absolute (DAM_BASE_URL) and opens without a session: the share link's own pictures, the delivery URL itself.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from assets.derivatives import Spec
from assets.models import Asset, AssetVersion, Collection, Rendition
from dam.errors import Gone
from distribution import delivery, selectors, services
from distribution.derivatives import spec_for, standard_rendition
from distribution.models import Preset, ShareLink

PROVIDER = "DAM"
PROTECTED = "Protected share link"
GONE = "Share link no longer available"
# The long side of the pictures a watermarked link's page makes itself (distribution.views._picture); an
# unwatermarked link's page shows the standard renditions of the same names.
SHARE_PAGE_SIDES = {"preview": 1200, "thumb": 400}
DESCRIPTION_MAX = 300


@dataclass(frozen=True)
class Picture:
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class Preview:
    title: str
    url: str  # the link previewed
    description: str = ""
    pictures: tuple[Picture, ...] = ()  # the same picture in the sizes the link offers, largest first
    video: Picture | None = None  # a delivery URL of a video file itself
    author: str = ""
    cacheable: bool = False  # the same for everyone for a few minutes (a public delivery URL)

    @property
    def kind(self) -> str:
        return "video" if self.video else "photo" if self.pictures else "link"

    @property
    def picture(self) -> Picture | None:
        return self.pictures[0] if self.pictures else None

    @property
    def oembed_url(self) -> str:
        return absolute("/oembed?" + urlencode({"url": self.url, "format": "json"}))

    def meta_tags(self) -> list[tuple[str, str, str]]:
        """(attribute, name, content) of the page's Open Graph and Twitter Card tags."""
        tags = [("property", "og:type", "website"), ("property", "og:site_name", PROVIDER),
                ("property", "og:title", self.title), ("property", "og:url", self.url)]
        if self.description:
            tags.append(("property", "og:description", self.description))
        picture = self.picture
        if picture is not None:
            tags += [("property", "og:image", picture.url), ("property", "og:image:width", str(picture.width)),
                     ("property", "og:image:height", str(picture.height))]
        tags += [("name", "twitter:card", "summary_large_image" if picture else "summary"),
                 ("name", "twitter:title", self.title)]
        if self.description:
            tags.append(("name", "twitter:description", self.description))
        if picture is not None:
            tags.append(("name", "twitter:image", picture.url))
        return tags


def absolute(path: str) -> str:
    return settings.DAM_BASE_URL + path


def oembed_link_header(path: str) -> str:
    """The HTTP Link header that lets an unfurler find the oEmbed of a URL serving bytes (no <head> to carry
    the tag); `path` with its query string, as asked."""
    url = absolute("/oembed?" + urlencode({"url": absolute(path), "format": "json"}))
    return f'<{url}>; rel="alternate"; type="application/json+oembed"'


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_MAX else text[:DESCRIPTION_MAX - 1].rsplit(" ", 1)[0] + "…"


def fitted(width: int, height: int, max_width: int | None, max_height: int | None = None) -> tuple[int, int]:
    """A width and height made to fit inside max_width x max_height (max_height defaults to max_width), never
    enlarged; None or 0 is no limit."""
    max_height = max_width if max_height is None else max_height
    scale = min(1.0, max_width / width if max_width else 1.0, max_height / height if max_height else 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


# --- share links -------------------------------------------------------------------------------------------

def share_url(token: str) -> str:
    return absolute(reverse("share", args=[token]))


def protected_preview(link: ShareLink) -> Preview:
    return Preview(PROTECTED, share_url(link.token), "Open the link and enter its password to see what it shares.")


def gone_preview(token: str, reason: str) -> Preview:
    return Preview(GONE, share_url(token), reason)


def share_preview(token: str) -> Preview | None:
    """The preview of a share link by its token; None when there is no such link."""
    try:
        link = services.share_link_open(token)
    except ShareLink.DoesNotExist:
        return None
    except Gone as exc:
        return gone_preview(token, str(exc))
    return share_link_preview(link)


def share_link_preview(link: ShareLink, *, assets: list[Asset] | None = None,
                       presets: list[Preset] | None = None) -> Preview:
    """What an open link shows: a single file's title and description, or the link's own; the first picture
    among its files when the link offers pictures. Passing `assets` and `presets` saves reading them again."""
    if link.password_hash:  # whoever unfurls it has no session that entered the password
        return protected_preview(link)
    assets = services.shared_assets(link) if assets is None else assets
    presets = selectors.offered_presets(link) if presets is None else presets
    if len(assets) == 1:
        title, description = assets[0].title or link.title, assets[0].description or link.description
    else:
        count = f"{len(assets)} file{'s' if len(assets) != 1 else ''}"
        title, description = link.title or "Shared files", link.description or count
    pictures: tuple[Picture, ...] = ()
    if selectors.shows_pictures(link, presets):
        # The first file that has a picture at all (an audio file or a font has none); its renditions in one read.
        shown = next((a for a in assets if a.approved_version and a.approved_version.has_renditions), None)
        pictures = _share_pictures(link, shown) if shown is not None else ()
    return Preview(title or "Shared files", share_url(link.token), _short(description), pictures)


def _share_pictures(link: ShareLink, asset: Asset) -> tuple[Picture, ...]:
    version = asset.approved_version
    if version is None or not version.has_renditions:
        return ()
    made = version.renditions.filter(variant="", preset__in=SHARE_PAGE_SIDES, status=Rendition.Status.READY)
    sizes = {row.preset: (row.width, row.height) for row in made if row.width and row.height}
    pictures = []
    for kind, side in SHARE_PAGE_SIDES.items():
        if kind not in sizes:  # not made (yet): the link's picture would answer 404
            continue
        width, height = sizes[kind]
        if link.watermark_id:  # the link's page makes its own marked copy, at most `side` pixels
            width, height = fitted(width, height, side)
        pictures.append(Picture(absolute(reverse(f"share_{kind}", args=[link.token, asset.uid])), width, height))
    return tuple(pictures)


# --- delivery URLs -----------------------------------------------------------------------------------------

def delivery_preview(uid: Any, preset_name: str, *, query: dict[str, str], path: str) -> Preview | None:
    """The preview of a delivery URL (`path`, its `query`: exp, sig, key), or None whenever the URL itself
    would not serve the file (no such asset or preset, refused, no longer published, no picture)."""
    asset = delivery.delivered_asset(uid)
    preset = delivery.delivery_preset(preset_name)
    if asset is None or preset is None or asset.approved_version is None:
        return None
    try:
        delivery.check_access(asset, preset, exp=query.get("exp"), sig=query.get("sig"), key=query.get("key"))
    except delivery.DeliveryRefused:
        return None
    if not delivery.is_deliverable(asset):
        return None
    version = asset.approved_version
    version.asset = asset
    kept = {name: query[name] for name in ("exp", "sig", "key") if query.get(name)}
    url = absolute(path + (f"?{urlencode(kept)}" if kept else ""))
    plain = Preview(asset.title, url, author=asset.rights_holder,
                    cacheable=asset.collection.delivery == Collection.Delivery.PUBLIC and not kept)
    if preset.is_original:
        if version.width and version.height and version.mime_type.startswith("video/"):
            return replace(plain, video=Picture(url, version.width, version.height))
        if version.width and version.height and version.is_image:
            return replace(plain, pictures=(Picture(url, version.width, version.height),))
        return plain
    if not version.has_renditions:
        return None  # the delivery URL answers 404: no picture can be made from this file
    made = _made_sizes(version)
    size = preset_size(version, preset, made)
    if size is None:
        return plain
    pictures = [Picture(url, *size)]
    if plain.cacheable:
        # Anyone may have every unrestricted preset of a public asset: offer the smaller ones, so that an
        # oEmbed consumer asking for maxwidth gets a file of about that size. The same watermark, or none.
        for other in Preset.objects.filter(restricted=False, watermark=preset.watermark).exclude(
                format=Preset.Format.ORIGINAL).exclude(pk=preset.pk).select_related("watermark"):
            other_size = preset_size(version, other, made)
            if other_size is not None and other_size[0] < size[0]:
                pictures.append(Picture(absolute(delivery.url_for(asset, other).path), *other_size))
    pictures.sort(key=lambda p: -p.width)
    return replace(plain, pictures=tuple(pictures))


def _made_sizes(version: AssetVersion) -> dict[tuple[str, str], tuple[int, int]]:
    rows = version.renditions.filter(status=Rendition.Status.READY, width__isnull=False, height__isnull=False)
    return {(preset, variant): (width, height)
            for preset, variant, width, height in rows.values_list("preset", "variant", "width", "height")
            if width and height}


def preset_size(version: AssetVersion, preset: Preset, made: dict[tuple[str, str], tuple[int, int]]
                ) -> tuple[int, int] | None:
    """The width and height of a preset's file of this version: the file's once made, else worked out from
    the original's size by the recipe (contain fits inside, cover fills and crops; never enlarged)."""
    spec: Spec = spec_for(preset, version.asset)
    standard = standard_rendition(spec.without_rights)  # the rights add bytes, never pixels
    exact = made.get((standard, "")) if standard else made.get((preset.name, spec.variant))
    if exact:
        return exact
    width, height = version.width, version.height
    if not width or not height:
        return None
    if preset.fit == Preset.Fit.COVER and preset.max_width and preset.max_height:
        scale = min(1.0, max(preset.max_width / width, preset.max_height / height))
        return (max(1, min(round(width * scale), preset.max_width)),
                max(1, min(round(height * scale), preset.max_height)))
    if not preset.max_width and not preset.max_height:
        return width, height
    return fitted(width, height, preset.max_width or 0, preset.max_height or 0)
