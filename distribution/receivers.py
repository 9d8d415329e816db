"""Recording downloads that happen in the assets app (it can't import us: apps import downward)."""
from __future__ import annotations

from typing import Any

from django.db.models import F

from assets.models import Asset
from distribution.models import DownloadEvent


def record_download(sender: Any, *, asset_id: int, version_id: int, rendition: str, user_id: int | None,
                    **kwargs: Any) -> None:
    DownloadEvent.objects.create(asset_id=asset_id, version_id=version_id, rendition=rendition, user_id=user_id)
    count_download(asset_id)


def count_download(asset_id: int) -> None:
    # update(), not save(): a counter bump is not an edit (no revision bump, no reindex, no lost update).
    Asset.objects.filter(pk=asset_id).update(download_count=F("download_count") + 1)
