"""Reads for the archive screens."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from assets.models import Asset
from assets.selectors import assets_visible_to


def archived_assets(user: Any) -> QuerySet[Asset]:
    return assets_visible_to(user).filter(archived_at__isnull=False).order_by("-archived_at")
