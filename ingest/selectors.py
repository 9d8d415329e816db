"""Read queries for upload batches, through the permission authority."""
from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from accounts import permissions as authority
from assets.models import Rendition
from ingest.models import ArchiveUnpacking, IngestBatch, IngestItem


def batches_visible_to(user: Any) -> QuerySet[IngestBatch]:
    # Explicit order: Django drops Meta.ordering from a GROUP BY query, so the newest-first list would be unordered.
    return authority.visible(user, IngestBatch.objects.all()).select_related("collection", "created_by").annotate(
        item_count=Count("items")).order_by("-created_at", "-id")


def access_batch(user: Any, pk: int, action: str = "view") -> IngestBatch:
    return authority.access(user, IngestBatch.objects.select_related("collection", "created_by"), action, pk=pk)


def batch_items(batch: IngestBatch, outcome: str | None = None) -> QuerySet[IngestItem]:
    """The batch's items in the order they were sent; only those with `outcome` when given."""
    thumbs = Rendition.objects.filter(preset=Rendition.Preset.THUMB, variant="")
    items = batch.items.select_related("asset", "version", "duplicate_of").prefetch_related(
        Prefetch("version__renditions", queryset=thumbs, to_attr="thumbs")).order_by("id")
    return items if outcome is None else items.filter(outcome=outcome)


PREVIEW_PREFIX = "Preview unavailable: "


def with_previews(items: Any) -> Any:
    """Set `preview` ("ready", "pending", "failed" or "") and `preview_problem` on each item of a fetched page
    (batch_items): a file kept but unreadable is reported as such, not as a plain "created"."""
    for item in items:
        thumb = (getattr(item.version, "thumbs", None) or [None])[0] if item.version_id else None
        item.preview = thumb.status if thumb is not None else ""
        error = thumb.error if thumb is not None and thumb.status == Rendition.Status.FAILED else ""
        item.preview_problem = error.removeprefix(PREVIEW_PREFIX).rstrip(".") or (
            "the file could not be read" if error or item.preview == Rendition.Status.FAILED else "")
    return items


def previews_pending(items: Any) -> bool:
    return any(item.preview == Rendition.Status.PENDING for item in items)


def batch_asset_uids(batch: IngestBatch) -> list[str]:
    """The assets the batch created or revised, for "Edit all in this batch" and "Submit all for review"."""
    uids = batch.items.filter(asset__isnull=False).order_by("id").values_list("asset__uid", flat=True)
    return [str(uid) for uid in dict.fromkeys(uids)]


def batch_summary(batch: IngestBatch) -> dict[str, int]:
    counts = {outcome: 0 for outcome in IngestItem.Outcome.values}
    for row in batch.items.values("outcome").annotate(n=Count("pk")):
        counts[row["outcome"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts


def unpackings_of(batch: IngestBatch) -> list[ArchiveUnpacking]:
    """The batch's archives left to background jobs, in the order they were sent."""
    return list(batch.unpackings.order_by("id"))


def stored_archives(prefix: str) -> set[str]:
    """The stored names under `prefix` of archives still waiting to be unpacked (assets.sweep)."""
    return set(ArchiveUnpacking.objects.filter(key__startswith=prefix).values_list("key", flat=True))


def stored_archive_folders() -> set[str]:
    return {key.rsplit("/", 1)[0] + "/" for key in ArchiveUnpacking.objects.exclude(key="").values_list(
        "key", flat=True)}
