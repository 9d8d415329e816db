"""Reads for distribution screens."""
from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, QuerySet

from accounts import permissions as authority
from assets.formats import RENDITION_SIZES
from assets.models import Asset, AssetVersion
from assets.selectors import live_assets_visible_to
from distribution import location
from distribution.models import ShareLink
from distribution.services import PICTURES


def share_links_of(user: Any) -> QuerySet[ShareLink]:
    links = authority.visible(user, ShareLink.objects.all())
    return links.annotate(asset_count=Count("assets")).select_related("created_by").order_by("-created_at")


def shareable_assets(user: Any, uids: list[str]) -> list[Asset]:
    """Of the given asset uids, those the user may see (sharing rules are checked by the service)."""
    valid = []
    for uid in uids:
        try:
            valid.append(str(uuid.UUID(uid)))
        except ValueError:
            continue
    return list(live_assets_visible_to(user).filter(uid__in=valid))


_COPIES = {"web": "Web JPEG", "preview": "Preview JPEG", "thumb": "Thumbnail JPEG"}


def offered(link: ShareLink) -> list[tuple[str, str]]:
    """What each download of the link contains, in a sentence, in the order the link offers them."""
    sentences = []
    for rendition in link.renditions:
        if rendition in _COPIES:
            sentences.append((rendition, f"{_COPIES[rendition]}: up to {RENDITION_SIZES[rendition]:,} px on the "
                                         "long side, upright, sRGB, without embedded metadata."))
        elif link.keep_location:
            sentences.append((rendition, "Original: the file as it was uploaded, with all its embedded metadata, "
                                         "where it was taken included."))
        else:
            sentences.append((rendition, "Original: the file as it was uploaded, without where it was taken (GPS "
                                         "position and place names removed); its other metadata kept."))
    return sentences


def original_refusal(link: ShareLink, version: AssetVersion | None) -> str:
    """Why this link cannot hand out this version's original (empty when it can)."""
    if version is None or "original" not in link.renditions or link.keep_location:
        return ""
    return location.refusal(version)


def shows_pictures(link: ShareLink) -> bool:
    """A link's page shows thumbnails only when the link itself offers a picture."""
    return any(rendition in PICTURES for rendition in link.renditions)
