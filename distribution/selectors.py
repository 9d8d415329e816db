"""Reads for distribution screens."""
from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, QuerySet

from accounts import permissions as authority
from assets.models import Asset
from assets.selectors import live_assets_visible_to
from distribution.models import ShareLink


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
